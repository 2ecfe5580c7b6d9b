// Certificates: what clients are shown now, a fresh one from the local CA, importing one from a
// public CA (errors in words), making the key + CSR for it, and the CA for clients to trust.
import { useState, type FormEvent } from 'react';
import type { CertificateResponse, CertificateSummary, CsrResponse } from '../../../server/admin/contract/index.js';
import { saveBlob } from '../api.js';
import { Button, Card, CopyBlock, Field, Loading, Notice, Page } from '../components/ui.js';
import { useApp, useResource, useSubmit } from '../context.js';
import type { MessageKey } from '../i18n/en.js';
import { useI18n } from '../i18n/index.js';
import { daysUntil, formatDate, splitList } from '../logic/format.js';
import { localizeReason } from '../logic/reasons.js';

const PLATFORMS = ['windows', 'macos', 'ios', 'android', 'thunderbird'] as const;

export function CertificatesPage() {
  const { t } = useI18n();
  const { api, notify } = useApp();
  const resource = useResource('GET /api/certificate');
  const [busy, setBusy] = useState(false);
  const data = resource.data;
  if (!data) return <Page title={t('nav.certificates')}><Loading error={resource.error} /></Page>;
  const regenerate = async () => {
    setBusy(true);
    try {
      await api.call('POST /api/certificate/regenerate');
      notify(t('cert.regenerated'));
      resource.reload();
    } catch (failure) {
      notify(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title={t('nav.certificates')} intro={t('cert.intro')}>
      <Card
        title={t('cert.current')}
        actions={
          <Button onClick={regenerate} disabled={busy}>
            {t('cert.regenerate')}
          </Button>
        }
      >
        <CertificateFacts cert={data.certificate} />
        <p className="help">{data.certificate.imported ? t('cert.importedNote') : t('cert.localNote')}</p>
      </Card>
      <TrustCa ca={data.ca} />
      <RequestCsr pending={data.pendingRequest} onDone={resource.reload} />
      <ImportCertificate pending={data.pendingRequest} onDone={resource.reload} />
    </Page>
  );
}

function CertificateFacts({ cert }: { cert: CertificateSummary }) {
  const { t, language } = useI18n();
  const days = daysUntil(cert.notAfter);
  return (
    <dl className="facts">
      <dt>{t('cert.subject')}</dt>
      <dd>{cert.subject}</dd>
      <dt>{t('cert.names')}</dt>
      <dd>
        {[...cert.dnsNames, ...cert.ipAddresses].map((n) => (
          <code key={n} className="chip">
            {n}
          </code>
        ))}
      </dd>
      <dt>{t('cert.issuer')}</dt>
      <dd>{cert.issuer}</dd>
      <dt>{t('cert.validity')}</dt>
      <dd>
        {t('cert.validRange', { from: formatDate(cert.notBefore, language), until: formatDate(cert.notAfter, language) })}{' '}
        <span className={`badge ${days < 0 ? 'bad' : days < 30 ? 'warn' : 'good'}`}>{days < 0 ? t('cert.expired') : t('cert.daysLeft', { days })}</span>
      </dd>
      <dt>{t('cert.fingerprint')}</dt>
      <dd>
        <code className="fingerprint">{cert.fingerprintSha256}</code>
      </dd>
    </dl>
  );
}

function TrustCa({ ca }: { ca: CertificateSummary }) {
  const { t } = useI18n();
  const { api, notify } = useApp();
  const [platform, setPlatform] = useState<(typeof PLATFORMS)[number]>('windows');
  return (
    <Card
      title={t('cert.ca')}
      actions={
        <Button kind="primary" onClick={() => api.download('GET /api/certificate/ca.crt').catch((e: Error) => notify(e.message))}>
          {t('cert.downloadCa')}
        </Button>
      }
    >
      <p>{t('cert.caIntro')}</p>
      <p className="muted">
        {t('cert.fingerprint')}: <code className="fingerprint">{ca.fingerprintSha256}</code>
      </p>
      <div className="tabs" role="tablist" aria-label={t('cert.trustOn')}>
        {PLATFORMS.map((p) => (
          <button key={p} type="button" role="tab" aria-selected={platform === p} className={platform === p ? 'tab selected' : 'tab'} onClick={() => setPlatform(p)}>
            {t(`cert.platform.${p}`)}
          </button>
        ))}
      </div>
      <ol className="readable" role="tabpanel">
        {t(`cert.trust.${platform}` as MessageKey)
          .split('\n')
          .map((step, i) => (
            <li key={i}>{step}</li>
          ))}
      </ol>
    </Card>
  );
}

function RequestCsr({ pending, onDone }: { pending: CertificateResponse['pendingRequest']; onDone(): void }) {
  const { t } = useI18n();
  const { api } = useApp();
  const [commonName, setCommonName] = useState('');
  const [altNames, setAltNames] = useState('');
  const [organization, setOrganization] = useState('');
  const [country, setCountry] = useState('');
  const { error: refusal, run } = useSubmit();
  const error = refusal?.message;
  const [result, setResult] = useState<CsrResponse | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      setResult(await api.call('POST /api/certificate/request', { body: { commonName, altNames: splitList(altNames), organization, country } }));
      onDone();
    });
  };
  return (
    <Card title={t('cert.csr')}>
      <p className="help">{t('cert.csrIntro')}</p>
      {pending && !result && <Notice tone="info">{t('cert.pending', { name: pending.commonName })}</Notice>}
      <form className="inline-form" onSubmit={submit} noValidate>
        <Field label={t('cert.commonName')} help={t('cert.commonNameHelp')} error={error ?? undefined}>
          {(props) => <input {...props} value={commonName} onChange={(e) => setCommonName(e.target.value)} placeholder="mail.example.com" spellCheck={false} />}
        </Field>
        <Field label={t('cert.altNames')} help={t('cert.altNamesHelp')}>
          {(props) => <input {...props} value={altNames} onChange={(e) => setAltNames(e.target.value)} placeholder="example.com" spellCheck={false} />}
        </Field>
        <Field label={t('cert.organization')}>
          {(props) => <input {...props} value={organization} onChange={(e) => setOrganization(e.target.value)} />}
        </Field>
        <Field label={t('cert.country')} help={t('cert.countryHelp')}>
          {(props) => <input {...props} value={country} onChange={(e) => setCountry(e.target.value)} maxLength={2} placeholder="CN" />}
        </Field>
        <div className="form-actions">
          <Button kind="primary" type="submit">{t('cert.makeCsr')}</Button>
        </div>
      </form>
      {result && (
        <>
          <Notice tone="good">{t('cert.csrDone')}</Notice>
          <h3>{t('cert.csrText')}</h3>
          <CopyBlock lines={result.csr.trim().split('\n')} />
          <Button onClick={() => saveBlob(new Blob([result.csr], { type: 'application/pkcs10' }), `${commonName || 'request'}.csr`)}>{t('cert.downloadCsr')}</Button>{' '}
          <Button onClick={() => saveBlob(new Blob([result.key], { type: 'application/x-pem-file' }), `${commonName || 'request'}.key`)}>{t('cert.downloadKey')}</Button>
        </>
      )}
    </Card>
  );
}

function ImportCertificate({ pending, onDone }: { pending: CertificateResponse['pendingRequest']; onDone(): void }) {
  const { t, language } = useI18n();
  const { api, notify } = useApp();
  const [certificate, setCertificate] = useState('');
  const [key, setKey] = useState('');
  const { error: refusal, run } = useSubmit();
  const error = refusal?.message;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api.call('POST /api/certificate/import', { body: { certificate, key } });
      notify(t('cert.imported'));
      setCertificate('');
      setKey('');
      onDone();
    });
  };
  return (
    <Card title={t('cert.import')}>
      <p className="help">{t('cert.importIntro')}</p>
      <form onSubmit={submit} noValidate>
        {error && <Notice tone="bad">{t('cert.importRefused', { reason: localizeReason(error, language) })}</Notice>}
        <Field label={t('cert.certificatePem')} help={t('cert.certificatePemHelp')}>
          {(props) => <textarea {...props} rows={6} value={certificate} onChange={(e) => setCertificate(e.target.value)} spellCheck={false} placeholder="-----BEGIN CERTIFICATE-----" />}
        </Field>
        <Field label={t('cert.keyPem')} help={pending ? t('cert.keyPemPending', { name: pending.commonName }) : t('cert.keyPemHelp')}>
          {(props) => <textarea {...props} rows={4} value={key} onChange={(e) => setKey(e.target.value)} spellCheck={false} placeholder="-----BEGIN PRIVATE KEY-----" />}
        </Field>
        <div className="form-actions">
          <Button kind="primary" type="submit" disabled={!certificate.trim()}>
            {t('cert.importButton')}
          </Button>
        </div>
      </form>
    </Card>
  );
}
