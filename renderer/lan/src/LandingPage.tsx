// "Set up mail on this device": the address (filled in from ?address=, as the window's QR code
// sends it), the way that fits this device (found from its User-Agent, switchable), its steps,
// the Apple profile form, the servers to type where a program asks, and the CA to trust.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { LandingData } from '../../../server/web/onboarding/landing-contract.js';
import { LanguageSelect } from '../../src/components/LanguageSelect.js';
import { addressProblem } from './address.js';
import { DEVICE_PATHS, detectDevice, isDevicePath, type DevicePath } from './device.js';
import type { MessageKey } from './i18n/en.js';
import { useI18n } from './i18n/index.js';

/** The LAN web service's paths (server/web/onboarding/). */
const DATA_URL = '/onboarding.json';
const PROFILE_URL = '/profile.mobileconfig';
const CA_PEM_URL = '/lanpost-ca.crt';
const CA_DER_URL = '/lanpost-ca.cer';

const STEPS: Record<DevicePath, MessageKey[]> = {
  thunderbird: ['thunderbird.1', 'thunderbird.2', 'thunderbird.3', 'thunderbird.4'],
  outlook: ['outlook.1', 'outlook.2'],
  apple: ['apple.1', 'apple.2', 'apple.3', 'apple.4'],
  android: ['android.1', 'android.2', 'android.3'],
  'windows-mail': ['windows-mail.1', 'windows-mail.2', 'windows-mail.3', 'windows-mail.4'],
};

/** What the profile form was refused for (the server sends the browser back with ?problem=). */
const PROBLEMS: Record<string, MessageKey> = { invalid: 'apple.problem.invalid', disabled: 'apple.problem.disabled', throttled: 'apple.problem.throttled' };

export function LandingPage() {
  const { t, language, setLanguage } = useI18n();
  const query = useMemo(() => new URLSearchParams(window.location.search), []);
  const problem = PROBLEMS[query.get('problem') ?? ''];
  const detected = useMemo(() => detectDevice(navigator.userAgent), []);
  const [path, setPath] = useState<DevicePath>(() => {
    const asked = query.get('device');
    return problem ? 'apple' : isDevicePath(asked) ? asked : detected;
  });
  const [address, setAddress] = useState(query.get('address') ?? '');
  const [data, setData] = useState<LandingData | null>(null);
  const [unreachable, setUnreachable] = useState(false);

  useEffect(() => {
    fetch(DATA_URL, { credentials: 'omit', cache: 'no-store' })
      .then((response) => (response.ok ? (response.json() as Promise<LandingData>) : Promise.reject(new Error(String(response.status)))))
      .then(setData, () => setUnreachable(true));
  }, []);
  useEffect(() => {
    document.title = `${t('page.title')} · LanPost`;
  }, [t]);

  const issue = data ? addressProblem(address, data.localDomains) : null;
  const shown = address.trim() || `you@${data?.domain ?? ''}`;
  const values = { address: shown, domain: data?.domain ?? '' };

  return (
    <main className="landing">
      <header>
        <h1>{t('page.title')}</h1>
        <LanguageSelect label={t('page.language')} language={language} onChange={setLanguage} />
      </header>
      {unreachable && <p className="notice bad">{t('page.unreachable')}</p>}
      {!data && !unreachable && <p className="muted">{t('page.loading')}</p>}
      {data && (
        <>
          <p className="intro">{t('page.intro', { domain: data.domain })}</p>
          <div className="field">
            <label htmlFor="address">{t('address.label')}</label>
            <input
              id="address"
              type="email"
              autoComplete="email"
              autoCapitalize="none"
              spellCheck={false}
              placeholder={`alice@${data.domain}`}
              value={address}
              onChange={(event) => setAddress(event.target.value)}
              aria-invalid={issue ? true : undefined}
            />
            {issue && (
              <p className="field-error" role="alert">
                {t(issue.key, issue.values)}
              </p>
            )}
          </div>

          <section aria-labelledby="device-heading">
            <p id="device-heading">{t('device.detected', { device: t(`device.${detected}`) })}</p>
            <div className="devices" role="group" aria-labelledby="device-heading">
              {DEVICE_PATHS.map((candidate) => (
                <button key={candidate} type="button" aria-pressed={candidate === path} onClick={() => setPath(candidate)}>
                  {t(`device.${candidate}`)}
                </button>
              ))}
            </div>
          </section>

          <Section title={t(`device.${path}`)}>
            <ol>
              {STEPS[path].map((key) => (
                <li key={key}>{t(key, values)}</li>
              ))}
            </ol>
            {path === 'apple' && <ProfileForm address={address} secure={data.secure} problem={problem} blocked={!!issue || !address.trim()} />}
            {path === 'outlook' && (
              <>
                <h3>{t('outlook.newerTitle')}</h3>
                <p>{t('outlook.newer1')}</p>
                <p>{t('outlook.newer2')}</p>
              </>
            )}
          </Section>

          <Servers data={data} />
          <CertificateAuthority fingerprint={data.caFingerprintSha256} />
        </>
      )}
    </main>
  );
}

function ProfileForm({ address, secure, problem, blocked }: { address: string; secure: boolean; problem?: MessageKey; blocked: boolean }) {
  const { t } = useI18n();
  // A real form: iOS installs a profile only from a page it navigated to, not from a script's download.
  return (
    <form className="profile" method={secure ? 'post' : 'get'} action={PROFILE_URL}>
      <input type="hidden" name="address" value={address.trim()} />
      {problem && (
        <p className="notice bad" role="alert">
          {t(problem)}
        </p>
      )}
      {secure ? (
        <div className="field">
          <label htmlFor="password">{t('apple.password')}</label>
          <input id="password" name="password" type="password" autoComplete="current-password" />
        </div>
      ) : (
        <p className="muted">{t('apple.notSecure')}</p>
      )}
      <button type="submit" className="primary" disabled={blocked}>
        {t('apple.download')}
      </button>
    </form>
  );
}

function Servers({ data }: { data: LandingData }) {
  const { t } = useI18n();
  return (
    <Section title={t('servers.title')}>
      <p>
        <strong>{t('servers.server')}</strong> <code>{data.hostname}</code>
      </p>
      <table>
        <thead>
          <tr>
            <th>{t('servers.kind')}</th>
            <th>{t('servers.port')}</th>
            <th>{t('servers.security')}</th>
          </tr>
        </thead>
        <tbody>
          {data.servers.map((server) => (
            <tr key={server.service}>
              <td>{t(`servers.kind.${server.kind}`)}</td>
              <td>
                <code>{server.port}</code>
              </td>
              <td>{t(`servers.tls.${server.tls}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">{t('servers.username')}</p>
    </Section>
  );
}

function CertificateAuthority({ fingerprint }: { fingerprint: string }) {
  const { t } = useI18n();
  return (
    <Section title={t('ca.title')}>
      <p>{t('ca.intro')}</p>
      <p className="fingerprint">
        <code>SHA-256 {fingerprint}</code>
      </p>
      <ul className="downloads">
        <li>
          <a href={CA_PEM_URL} download>
            {t('ca.crt')}
          </a>
        </li>
        <li>
          <a href={CA_DER_URL} download>
            {t('ca.cer')}
          </a>
        </li>
      </ul>
    </Section>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}
