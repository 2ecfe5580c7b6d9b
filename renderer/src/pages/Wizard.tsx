// First run: the mail domain, the server's host name, the address to serve on and the admin
// password, one step at a time; then what the mail clients should use.
import { useState, type FormEvent } from 'react';
import type { SetupResponse, SetupStateResponse } from '../../../server/admin/contract/index.js';
import { LanguageSelect } from '../components/LanguageSelect.js';
import { Button, Field, Notice } from '../components/ui.js';
import { useApp, useSubmit } from '../context.js';
import { useI18n } from '../i18n/index.js';
import { localizeReason } from '../logic/reasons.js';
import { ClientSetupCard } from './ClientSetup.js';

const STEPS = ['domain', 'hostname', 'address', 'password'] as const;

export function Wizard({ setup, onDone }: { setup: SetupStateResponse; onDone(): void }) {
  const { t, language, setLanguage } = useI18n();
  const { api } = useApp();
  const [step, setStep] = useState(0);
  const [domain, setDomain] = useState(setup.domain);
  const [hostname, setHostname] = useState(setup.hostname);
  const [hostnameEdited, setHostnameEdited] = useState(setup.hostname !== `mail.${setup.domain}`);
  const [address, setAddress] = useState(setup.address === '127.0.0.1' || setup.lan.some((a) => a.address === setup.address) ? setup.address : '0.0.0.0');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();
  const [result, setResult] = useState<SetupResponse | null>(null);

  const changeDomain = (value: string) => {
    setDomain(value);
    if (!hostnameEdited) setHostname(`mail.${value.trim().toLowerCase()}`);
  };
  const finish = async () => {
    const refusal = await run(async () => {
      const answer = await api.call('POST /api/setup', { body: { domain, hostname, address, adminPassword: password } });
      if (!password && setup.firstStart) await api.call('POST /api/setup/first-start-seen').catch(() => {});
      setResult(answer);
    });
    // Go back to the first step with a problem.
    const firstBad = refusal ? STEPS.findIndex((s) => refusal.reasonFor(s === 'password' ? 'adminPassword' : s)) : -1;
    if (firstBad >= 0) setStep(firstBad);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (step < STEPS.length - 1) setStep(step + 1);
    else void finish();
  };
  const reason = (field: string) => error?.reasonFor(field);

  if (result) {
    return (
      <main className="wizard">
        <header className="wizard-header">
          <h1>{t('wizard.doneTitle')}</h1>
          <LanguageSelect label={t('app.language')} language={language} onChange={setLanguage} />
        </header>
        <p className="intro">{t('wizard.doneIntro', { address: result.adminAddress })}</p>
        <section className="card">
          <ClientSetupCard setup={result.clientSetup} />
        </section>
        <Button kind="primary" onClick={onDone}>
          {t('wizard.open')}
        </Button>
      </main>
    );
  }

  const current = STEPS[step]!;
  return (
    <main className="wizard">
      <header className="wizard-header">
        <h1>{t('wizard.title')}</h1>
        <LanguageSelect label={t('app.language')} language={language} onChange={setLanguage} />
      </header>
      <p className="intro">{t('wizard.intro')}</p>
      <ol className="steps" aria-label={t('wizard.steps')}>
        {STEPS.map((s, i) => (
          <li key={s} className={i === step ? 'current' : i < step ? 'done' : undefined} aria-current={i === step ? 'step' : undefined}>
            {t(`wizard.step.${s}`)}
          </li>
        ))}
      </ol>
      <form onSubmit={submit} className="card wizard-card" noValidate>
        {error && !STEPS.some((s) => reason(s === 'password' ? 'adminPassword' : s)) && <Notice tone="bad">{error.message}</Notice>}
        {current === 'domain' && (
          <Field label={t('wizard.domain')} help={t('wizard.domainHelp')} error={reason('domain')}>
            {(props) => <input {...props} value={domain} onChange={(e) => changeDomain(e.target.value)} autoFocus spellCheck={false} placeholder="school.lan" />}
          </Field>
        )}
        {current === 'hostname' && (
          <Field label={t('wizard.hostname')} help={t('wizard.hostnameHelp')} error={reason('hostname')}>
            {(props) => (
              <input
                {...props}
                value={hostname}
                onChange={(e) => {
                  setHostname(e.target.value);
                  setHostnameEdited(true);
                }}
                autoFocus
                spellCheck={false}
              />
            )}
          </Field>
        )}
        {current === 'address' && (
          <fieldset className="choices">
            <legend>{t('wizard.address')}</legend>
            <p className="help">{t('wizard.addressHelp')}</p>
            <Choice name="address" value="0.0.0.0" current={address} onChange={setAddress} label={t('wizard.addressAll')} note={t('wizard.recommended')} />
            {setup.lan.map((a) => (
              <Choice key={a.address} name="address" value={a.address} current={address} onChange={setAddress} label={a.address} note={t('wizard.addressLan', { interface: a.interface, subnet: a.subnet })} />
            ))}
            <Choice name="address" value="127.0.0.1" current={address} onChange={setAddress} label="127.0.0.1" note={t('wizard.addressLocal')} />
            {!setup.lan.length && <Notice tone="warn">{t('wizard.noLan')}</Notice>}
            {reason('address') && (
              <p className="field-error" role="alert">
                {localizeReason(reason('address')!, language)}
              </p>
            )}
          </fieldset>
        )}
        {current === 'password' && (
          <>
            {setup.firstStart && (
              <Notice tone="info">
                <p>{t('wizard.generated', { address: setup.firstStart.address })}</p>
                <p className="secret">
                  <code>{setup.firstStart.password}</code>
                </p>
                <p>{t('wizard.keepOrChange')}</p>
              </Notice>
            )}
            <Field label={t('wizard.password')} help={t('wizard.passwordHelp')} error={reason('adminPassword')}>
              {(props) => <input {...props} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />}
            </Field>
          </>
        )}
        <div className="wizard-buttons">
          {step > 0 && (
            <Button onClick={() => setStep(step - 1)} disabled={busy}>
              {t('wizard.back')}
            </Button>
          )}
          <Button kind="primary" type="submit" disabled={busy}>
            {step < STEPS.length - 1 ? t('wizard.next') : busy ? t('wizard.applying') : t('wizard.finish')}
          </Button>
          <Button
            kind="quiet"
            disabled={busy}
            onClick={() => {
              void api.call('POST /api/setup/skip').then(onDone);
            }}
          >
            {t('wizard.skip')}
          </Button>
        </div>
      </form>
    </main>
  );
}

function Choice({ name, value, current, onChange, label, note }: { name: string; value: string; current: string; onChange(v: string): void; label: string; note: string }) {
  return (
    <label className={`choice${current === value ? ' selected' : ''}`}>
      <input type="radio" name={name} value={value} checked={current === value} onChange={() => onChange(value)} />
      <span>
        <strong>{label}</strong>
        <span className="muted"> — {note}</span>
      </span>
    </label>
  );
}
