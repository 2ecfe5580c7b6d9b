// What to type into a mail client: servers, ports, TLS mode and user name (per user on the
// Users page, generic in the wizard), and here per user: the QR code that opens the LAN landing
// page with the address filled in, the Apple profile, and the live check of the onboarding URLs.
import { useState } from 'react';
import type { ClientServer, ClientSetup } from '../../../server/admin/contract/index.js';
import { Button, Card, Field, Loading, Notice, Page, StateBadge, TableHead } from '../components/ui.js';
import { QrCode } from '../components/QrCode.js';
import { useApp, useLive, useResource } from '../context.js';
import { useI18n } from '../i18n/index.js';

export function ClientSetupCard({ setup }: { setup: ClientSetup }) {
  const { t } = useI18n();
  const rows = [...setup.incoming, ...setup.outgoing];
  return (
    <div className="client-setup">
      <dl className="facts">
        <dt>{t('client.username')}</dt>
        <dd>{setup.username ? <code>{setup.username}</code> : t('client.usernameAny', { example: `alice@${setup.domain}` })}</dd>
        <dt>{t('client.password')}</dt>
        <dd>{t('client.passwordValue')}</dd>
        <dt>{t('client.server')}</dt>
        <dd>
          <code>{setup.hostname}</code>
          {setup.address && <span className="muted"> {t('client.orAddress', { address: setup.address })}</span>}
        </dd>
      </dl>
      {rows.length ? (
        <table>
          <TableHead columns={[t('client.kind'), t('client.port'), t('client.security'), t('overview.state')]} />
          <tbody>
            {rows.map((row) => (
              <Row key={row.service} row={row} />
            ))}
          </tbody>
        </table>
      ) : (
        <Notice tone="warn">{t('client.none')}</Notice>
      )}
      <p className="help">{t(`client.plaintext.${setup.plaintextLogin}`)}</p>
    </div>
  );
}

function Row({ row }: { row: ClientServer }) {
  const { t } = useI18n();
  return (
    <tr>
      <td>
        {t(`client.kind.${row.kind}`)}
        {row.recommended && <span className="tag">{t('client.recommended')}</span>}
      </td>
      <td>
        <code>{row.port}</code>
      </td>
      <td>{t(`client.tls.${row.tls}`)}</td>
      <td>
        <StateBadge state={row.state} />
      </td>
    </tr>
  );
}

export function ClientSetupPage() {
  const { t } = useI18n();
  const users = useResource('GET /api/users');
  const [chosen, setChosen] = useState<string | null>(null);
  const address = chosen ?? users.data?.users[0]?.address ?? null;
  return (
    <Page title={t('nav.clientSetup')} intro={t('client.intro')}>
      {users.data ? (
        <Field label={t('client.user')}>
          {(props) => (
            <select {...props} value={address ?? ''} onChange={(e) => setChosen(e.target.value)}>
              {users.data!.users.map((user) => (
                <option key={user.address} value={user.address}>
                  {user.address}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        <Loading error={users.error} />
      )}
      {address && <UserSetup key={address} address={address} />}
      <Card title={t('client.steps')}>
        <ol className="readable">
          <li>{t('client.step1')}</li>
          <li>{t('client.step2')}</li>
          <li>{t('client.step3')}</li>
        </ol>
        <h3>{t('client.outlookTitle')}</h3>
        <p className="readable">{t('client.outlookNewer')}</p>
      </Card>
    </Page>
  );
}

function UserSetup({ address }: { address: string }) {
  const { t } = useI18n();
  const { api, notify } = useApp();
  const setup = useResource('GET /api/users/:address/client-setup', { params: { address } });
  useLive((e) => (e.type === 'service' || e.type === 'settings') && setup.reloadSoon());
  if (!setup.data) return <Loading error={setup.error} />;
  const landing = setup.data.landingPage && `${setup.data.landingPage}?${new URLSearchParams({ address })}`;
  return (
    <>
      <Card title={t('client.cardTitle')}>
        <ClientSetupCard setup={setup.data} />
      </Card>
      <Card title={t('client.deviceTitle')} className="device-setup">
        {landing ? (
          <div className="qr-block">
            <QrCode text={landing} label={t('client.qrLabel', { address })} />
            <div>
              <p>{t('client.qrHelp')}</p>
              <p>
                <a href={landing} target="_blank" rel="noreferrer">
                  {landing}
                </a>
              </p>
            </div>
          </div>
        ) : (
          <Notice tone="warn">{t('client.noLanding')}</Notice>
        )}
        <p className="help">{t('client.profileHelp')}</p>
        <Button onClick={() => api.download('GET /api/users/:address/mobileconfig', { params: { address } }).catch((e: Error) => notify(e.message))}>{t('client.profile')}</Button>
      </Card>
      <OnboardingCheck address={address} />
    </>
  );
}

function OnboardingCheck({ address }: { address: string }) {
  const { t } = useI18n();
  const check = useResource('GET /api/users/:address/onboarding-check', { params: { address } });
  return (
    <Card title={t('client.checkTitle')} actions={<Button onClick={check.reload}>{t('client.checkAgain')}</Button>}>
      <p className="help">{t('client.checkHelp')}</p>
      {check.data ? (
        <table className="onboarding-check">
          <TableHead columns={[t('client.checkWhat'), t('client.checkUrl'), t('overview.state')]} />
          <tbody>
            {check.data.checks.map((item) => (
              <tr key={item.url} className={item.ok ? undefined : 'problem'}>
                <td>{t(`client.check.${item.kind}`)}</td>
                <td>
                  <code>{item.url}</code>
                </td>
                <td>
                  <span className={`badge ${item.ok ? 'good' : 'bad'}`}>{item.ok ? t('client.checkOk') : t('client.checkFailed')}</span> <span className="muted">{item.detail}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Loading error={check.error} />
      )}
    </Card>
  );
}
