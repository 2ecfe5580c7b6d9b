// Overview: is everything running (and if not, the fix), where the server is, the counts and
// the day's traffic; start/stop per service.
import { useState } from 'react';
import type { ServiceStatus } from '../../../server/admin/contract/index.js';
import { ApiError } from '../api.js';
import { Button, Card, CopyBlock, Loading, Notice, Page, StateBadge, TableHead } from '../components/ui.js';
import { TrafficChart } from '../components/TrafficChart.js';
import { useApp, useLive, useResource } from '../context.js';
import { useI18n } from '../i18n/index.js';
import { splitFix } from '../logic/format.js';
import { localizeReason } from '../logic/reasons.js';

export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function OverviewPage() {
  const { t } = useI18n();
  const overview = useResource('GET /api/overview');
  useLive((event) => {
    if (event.type === 'service' || event.type === 'mail' || event.type === 'traffic' || event.type === 'queue' || event.type === 'settings') overview.reloadSoon();
  });
  const data = overview.data;
  if (!data) return <Page title={t('nav.overview')}><Loading error={overview.error} /></Page>;

  const offered = data.services.filter((s) => s.detail !== 'not available in this version');
  const trouble = offered.filter((s) => s.state === 'blocked' || s.state === 'in-use' || s.state === 'error');
  const listening = offered.filter((s) => s.state === 'listening');
  const lan = data.lan.filter((a) => a.family === 'IPv4').concat(data.lan.filter((a) => a.family === 'IPv6'));
  return (
    <Page title={t('nav.overview')} intro={t('overview.intro', { hostname: data.hostname, domain: data.domain })}>
      {trouble.length ? (
        <Notice tone="warn">{t('overview.trouble', { count: trouble.length })}</Notice>
      ) : (
        <Notice tone="good">{t('overview.allGood', { count: listening.length })}</Notice>
      )}
      <div className="tiles">
        <Tile label={t('overview.users')} value={data.counts.users} />
        <Tile label={t('overview.messagesToday')} value={data.counts.messagesToday} />
        <Tile label={t('overview.queue')} value={data.counts.queue} />
        <Tile label={t('overview.lanAddress')} value={lan[0]?.address ?? t('overview.noLan')} small />
      </div>
      <Card title={t('overview.services')}>
        <table className="services">
          <TableHead columns={[t('overview.service'), t('overview.address'), t('overview.state')]} actions />
          <tbody>
            {data.services.map((status) => (
              <ServiceRow key={status.name} status={status} onChange={overview.reload} />
            ))}
          </tbody>
        </table>
      </Card>
      <Card title={t('overview.traffic')}>
        <TrafficChart hours={data.traffic} />
      </Card>
      {lan.length > 1 && (
        <Card title={t('overview.allLan')}>
          <ul className="plain">
            {lan.map((a) => (
              <li key={a.address}>
                <code>{a.address}</code> — {a.interface} ({a.subnet})
              </li>
            ))}
          </ul>
        </Card>
      )}
    </Page>
  );
}

function Tile({ label, value, small }: { label: string; value: number | string; small?: boolean }) {
  return (
    <div className="tile">
      <div className={`tile-value${small ? ' small' : ''}`}>{value}</div>
      <div className="tile-label">{label}</div>
    </div>
  );
}

function ServiceRow({ status, onChange }: { status: ServiceStatus; onChange(): void }) {
  const { t } = useI18n();
  const { api, notify } = useApp();
  const [busy, setBusy] = useState(false);
  const notHere = status.detail === 'not available in this version';
  const act = async (action: 'start' | 'stop') => {
    setBusy(true);
    try {
      await api.call(`POST /api/services/:name/${action}` as const, { params: { name: status.name } });
      notify(t(action === 'start' ? 'overview.started' : 'overview.stopped', { service: t(`service.${status.name}`) }));
    } catch (error) {
      notify(error instanceof ApiError ? error.message : String(error));
    } finally {
      setBusy(false);
      onChange();
    }
  };
  const problem = status.state === 'blocked' || status.state === 'in-use' || status.state === 'error';
  return (
    <>
      <tr className={problem ? 'problem' : undefined}>
        <td>
          <strong>{t(`service.${status.name}`)}</strong>
          <div className="muted">{t(`service.${status.name}.what`)}</div>
        </td>
        <td>
          <code>{hostPort(status.address, status.port)}</code>
        </td>
        <td>
          <StateBadge state={status.state} detail={status.detail} />
        </td>
        <td className="actions">
          {!notHere && status.state === 'listening' && (
            <Button onClick={() => act('stop')} disabled={busy}>
              {t('overview.stop')}
            </Button>
          )}
          {!notHere && status.state !== 'listening' && status.state !== 'disabled' && (
            <Button onClick={() => act('start')} disabled={busy}>
              {t(status.state === 'stopped' ? 'overview.start' : 'overview.retry')}
            </Button>
          )}
        </td>
      </tr>
      {problem && (
        <tr className="fix-row">
          <td colSpan={4}>
            <p>{t(`state.explain.${status.state as 'blocked' | 'in-use' | 'error'}`)}</p>
            {status.fix ? <Fix fix={status.fix} /> : <p className="muted">{status.detail}</p>}
          </td>
        </tr>
      )}
    </>
  );
}

function Fix({ fix }: { fix: string }) {
  const { t, language } = useI18n();
  const { steps, commands } = splitFix(fix);
  return (
    <>
      <p>{t('overview.fix')}</p>
      {steps.length > 0 && (
        <ul>
          {steps.map((step) => (
            <li key={step}>{localizeReason(step, language)}</li>
          ))}
        </ul>
      )}
      {commands.length > 0 && (
        <>
          {steps.length > 0 && <p>{t('overview.orCommand')}</p>}
          <CopyBlock lines={commands.flatMap((command, i) => (i ? [`# ${t('overview.or')}`, command] : [command]))} />
        </>
      )}
    </>
  );
}
