// Firewall & ports: each enabled port and whether it listens; the ports and addresses themselves
// (saved through the settings, only the changed service restarts); copy-ready firewall commands.
import { useState, type FormEvent } from 'react';
import type { FirewallKind, FirewallResponse, ServiceName, SettingsResponse } from '../../../server/admin/contract/index.js';
import { Button, Card, CopyBlock, Loading, Notice, Page, StateBadge, TableHead } from '../components/ui.js';
import { useApp, useLive, useResource, useSubmit } from '../context.js';
import { useI18n } from '../i18n/index.js';
import { localizeReason } from '../logic/reasons.js';
import { fromText } from '../logic/settings-fields.js';

const PREFERRED: Record<string, FirewallKind> = { win32: 'windows-powershell', darwin: 'macos-pf', linux: 'ufw' };

export function FirewallPage() {
  const { t } = useI18n();
  const firewall = useResource('GET /api/firewall');
  const settings = useResource('GET /api/settings');
  const [kind, setKind] = useState<FirewallKind | null>(null);
  useLive((e) => {
    if (e.type === 'service') firewall.reloadSoon();
    if (e.type === 'settings') settings.reloadSoon();
  });
  const data = firewall.data;
  if (!data || !settings.data) return <Page title={t('nav.firewall')}><Loading error={firewall.error ?? settings.error} /></Page>;
  const chosen = kind ?? PREFERRED[data.platform] ?? 'iptables';
  const commands = data.firewalls.find((f) => f.kind === chosen)?.commands ?? [];
  const loopbackOnly = data.ports.length > 0 && data.ports.every((p) => p.address.startsWith('127.') || p.address === '::1');
  return (
    <Page title={t('nav.firewall')} intro={t('firewall.intro')}>
      <Ports data={data} settings={settings.data} onSaved={() => { firewall.reload(); settings.reload(); }} />
      <Card title={t('firewall.open')}>
        {loopbackOnly && <Notice tone="warn">{t('firewall.loopbackOnly')}</Notice>}
        <p>{data.sources.length ? t('firewall.sources', { sources: data.sources.join(', ') }) : t('firewall.noSources')}</p>
        <div className="tabs" role="tablist" aria-label={t('firewall.which')}>
          {data.firewalls.map((f) => (
            <button key={f.kind} type="button" role="tab" aria-selected={f.kind === chosen} className={f.kind === chosen ? 'tab selected' : 'tab'} onClick={() => setKind(f.kind)}>
              {t(`firewall.kind.${f.kind}`)}
            </button>
          ))}
        </div>
        <div role="tabpanel">
          <p className="help">{t(`firewall.kindHelp.${chosen}`)}</p>
          {commands.length ? <CopyBlock lines={commands} label={t(`firewall.kind.${chosen}`)} /> : <p className="empty">{t('firewall.noPorts')}</p>}
        </div>
      </Card>
      {data.lowPorts && (
        <Card title={t('firewall.lowPorts')}>
          <p>{t('firewall.lowPortsIntro', { ports: data.lowPorts.ports.join(', ') })}</p>
          <CopyBlock lines={data.lowPorts.commands} />
        </Card>
      )}
    </Page>
  );
}

function Ports({ data, settings, onSaved }: { data: FirewallResponse; settings: SettingsResponse; onSaved(): void }) {
  const { t, language } = useI18n();
  const { api, notify } = useApp();
  const [draft, setDraft] = useState<Record<string, string>>({});
  const { busy, error, run } = useSubmit();
  const services = Object.keys(settings.settings.services) as ServiceName[];
  const statusOf = (name: ServiceName) => data.ports.find((p) => p.service === name);
  const value = (name: ServiceName, field: 'port' | 'address' | 'enabled') => draft[`${name}.${field}`] ?? String(settings.settings.services[name][field]);
  const set = (name: ServiceName, field: string, text: string) => setDraft({ ...draft, [`${name}.${field}`]: text });
  const changes = Object.entries(draft)
    .map(([key, text]) => {
      const field = key.split('.')[1]!;
      return { key: `services.${key}`, value: fromText(text, field === 'port' ? 'number' : field === 'enabled' ? 'boolean' : 'text') };
    })
    .filter((c) => {
      const [, name, field] = c.key.split('.') as [string, ServiceName, 'port' | 'address' | 'enabled'];
      return JSON.stringify(c.value) !== JSON.stringify(settings.settings.services[name][field]);
    });
  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api.call('PATCH /api/settings', { body: { changes } });
      notify(t('firewall.saved'));
      setDraft({});
      onSaved();
    });
  };
  return (
    <Card title={t('firewall.ports')}>
      <form onSubmit={save} noValidate>
        {error && !error.problems.length && <Notice tone="bad">{error.message}</Notice>}
        <table className="ports">
          <TableHead columns={[t('overview.service'), t('firewall.enabled'), t('firewall.address'), t('firewall.port'), t('overview.state')]} />
          <tbody>
            {services.map((name) => {
              const status = statusOf(name);
              const portError = error?.reasonFor(`services.${name}.port`);
              const addressError = error?.reasonFor(`services.${name}.address`);
              return (
                <tr key={name}>
                  <td>
                    <strong>{t(`service.${name}`)}</strong>
                    <div className="muted">{name === 'dns' ? 'TCP + UDP' : 'TCP'}</div>
                  </td>
                  <td>
                    <input type="checkbox" aria-label={t('firewall.enabledFor', { service: t(`service.${name}`) })} checked={value(name, 'enabled') === 'true'} onChange={(e) => set(name, 'enabled', String(e.target.checked))} />
                  </td>
                  <td>
                    <input className="narrow" aria-label={t('firewall.addressFor', { service: t(`service.${name}`) })} aria-invalid={addressError ? true : undefined} value={value(name, 'address')} onChange={(e) => set(name, 'address', e.target.value)} spellCheck={false} />
                    {addressError && <p className="field-error" role="alert">{localizeReason(addressError, language)}</p>}
                  </td>
                  <td>
                    <input className="port" inputMode="numeric" aria-label={t('firewall.portFor', { service: t(`service.${name}`) })} aria-invalid={portError ? true : undefined} value={value(name, 'port')} onChange={(e) => set(name, 'port', e.target.value)} />
                    {portError && <p className="field-error" role="alert">{localizeReason(portError, language)}</p>}
                    {status && status.state === 'listening' && String(status.port) !== value(name, 'port') && !draft[`${name}.port`] && <div className="muted">{t('firewall.actualPort', { port: status.port })}</div>}
                  </td>
                  <td>
                    {status ? (
                      <StateBadge state={status.state} detail={status.detail} />
                    ) : data.unavailable.includes(name) ? (
                      <span className="badge neutral">{t('state.notInVersion')}</span>
                    ) : (
                      <span className="badge neutral">{t('state.disabled')}</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p className="help">{t('firewall.portsHelp')}</p>
        <div className="form-actions">
          <Button kind="primary" type="submit" disabled={!changes.length || busy}>
            {busy ? t('common.saving') : t('firewall.savePorts')}
          </Button>
        </div>
      </form>
    </Card>
  );
}
