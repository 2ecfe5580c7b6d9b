// What to type into a mail client: servers, ports, TLS mode and user name (per user on the
// Users page, generic here).
import type { ClientServer, ClientSetup } from '../../../server/admin/contract/index.js';
import { Card, Loading, Notice, Page, StateBadge, TableHead } from '../components/ui.js';
import { useLive, useResource } from '../context.js';
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
  const setup = useResource('GET /api/client-setup');
  useLive((e) => (e.type === 'service' || e.type === 'settings') && setup.reloadSoon());
  return (
    <Page title={t('nav.clientSetup')} intro={t('client.intro')}>
      {setup.data ? (
        <Card title={t('client.cardTitle')}>
          <ClientSetupCard setup={setup.data} />
        </Card>
      ) : (
        <Loading error={setup.error} />
      )}
      <Card title={t('client.steps')}>
        <ol className="readable">
          <li>{t('client.step1')}</li>
          <li>{t('client.step2')}</li>
          <li>{t('client.step3')}</li>
        </ol>
      </Card>
    </Page>
  );
}
