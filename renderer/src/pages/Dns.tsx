// DNS zone: the records the built-in DNS publishes (derived from the settings), the extra records
// added by hand (add, remove — saved as the setting dns.extraRecords), and the BIND zone file.
import { useState, type FormEvent } from 'react';
import type { ExtraRecord } from '../../../server/admin/contract/index.js';
import { Button, Card, Field, Loading, Notice, Page, StateBadge } from '../components/ui.js';
import { useApp, useLive, useResource, useSubmit } from '../context.js';
import type { MessageKey } from '../i18n/en.js';
import { useI18n } from '../i18n/index.js';
import { hostPort } from './Overview.js';

const TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV'] as const;
type RecordType = (typeof TYPES)[number];
const FIELDS: Record<RecordType, string[]> = {
  A: ['address'],
  AAAA: ['address'],
  CNAME: ['target'],
  MX: ['preference', 'exchange'],
  TXT: ['text'],
  SRV: ['priority', 'weight', 'port', 'target'],
};
const NUMBERS = new Set(['preference', 'priority', 'weight', 'port', 'ttl']);

/** The record the form describes (numbers as numbers when they are numbers; the server says why not). */
function recordFrom(type: RecordType, values: Record<string, string>): ExtraRecord {
  const record: Record<string, unknown> = { type, name: values.name?.trim() ?? '' };
  for (const field of FIELDS[type]) {
    const text = values[field]?.trim() ?? '';
    record[field] = NUMBERS.has(field) && text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
  }
  if (values.ttl?.trim()) record.ttl = Number.isFinite(Number(values.ttl)) ? Number(values.ttl) : values.ttl;
  return record as unknown as ExtraRecord;
}

function describe(record: ExtraRecord): string {
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return record.address;
    case 'CNAME':
      return record.target;
    case 'MX':
      return `${record.preference} ${record.exchange}`;
    case 'TXT':
      return Array.isArray(record.text) ? record.text.join(' ') : record.text;
    case 'SRV':
      return `${record.priority} ${record.weight} ${record.port} ${record.target}`;
  }
}

export function DnsPage() {
  const { t } = useI18n();
  const { api, notify } = useApp();
  const zone = useResource('GET /api/dns/zone');
  useLive((e) => (e.type === 'settings' || (e.type === 'service' && e.status.name === 'dns')) && zone.reloadSoon());
  const data = zone.data;
  if (!data) return <Page title={t('nav.dns')}><Loading error={zone.error} /></Page>;
  const save = async (records: ExtraRecord[]) => {
    await api.call('PATCH /api/settings', { body: { changes: [{ key: 'dns.extraRecords', value: records }] } });
    zone.reload();
  };
  const service = data.dnsService;
  return (
    <Page
      title={t('nav.dns')}
      intro={t('dns.intro')}
      actions={<Button onClick={() => api.download('GET /api/dns/zone.txt').catch((e: Error) => notify(e.message))}>{t('dns.download')}</Button>}
    >
      <Notice tone={service.state === 'listening' ? 'info' : 'warn'}>
        <p>
          {t('dns.service')} <StateBadge state={service.state} detail={service.detail} /> <code>{hostPort(service.address, service.port)}</code>
        </p>
        <p>{t('dns.howClientsUseIt')}</p>
      </Notice>
      {data.problems.map((p) => (
        <Notice key={p} tone="warn">
          {p}
        </Notice>
      ))}
      {data.zones.map((z, i) => (
        <Card key={z.origin} title={i === 0 ? t('dns.zone', { origin: z.origin, serial: data.serial }) : t('dns.reverseZone', { origin: z.origin })}>
          <table className="zone">
            <thead>
              <tr>
                <th>{t('dns.name')}</th>
                <th>{t('dns.type')}</th>
                <th>TTL</th>
                <th>{t('dns.data')}</th>
              </tr>
            </thead>
            <tbody>
              {z.records.map((r, j) => (
                <tr key={j}>
                  <td>
                    <code>{r.name}</code>
                  </td>
                  <td>
                    <span className="tag" title={t(`dns.type.${r.type}` as MessageKey)}>{r.type}</span>
                  </td>
                  <td>{r.ttl}</td>
                  <td>
                    <code className="wrap">{r.data}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ))}
      <ExtraRecords records={data.extraRecords} domain={data.zones[0]?.origin ?? ''} onSave={save} />
      <Card title={t('dns.typesTitle')}>
        <dl className="facts">
          {['SOA', 'NS', 'A', 'AAAA', 'MX', 'TXT', 'SRV', 'CNAME', 'PTR'].map((type) => (
            <div key={type} style={{ display: 'contents' }}>
              <dt>
                <code>{type}</code>
              </dt>
              <dd>{t(`dns.type.${type}` as MessageKey)}</dd>
            </div>
          ))}
        </dl>
      </Card>
    </Page>
  );
}

function ExtraRecords({ records, domain, onSave }: { records: ExtraRecord[]; domain: string; onSave(records: ExtraRecord[]): Promise<void> }) {
  const { t } = useI18n();
  const { notify } = useApp();
  const [type, setType] = useState<RecordType>('A');
  const [values, setValues] = useState<Record<string, string>>({});
  const { error, run } = useSubmit();
  const index = records.length;
  const reason = (field: string) => error?.reasonFor(`dns.extraRecords.${index}.${field}`);
  const add = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await onSave([...records, recordFrom(type, values)]);
      notify(t('dns.added'));
      setValues({});
    });
  };
  const remove = async (at: number) => {
    try {
      await onSave(records.filter((_, i) => i !== at));
      notify(t('dns.removed'));
    } catch (failure) {
      notify(failure instanceof Error ? failure.message : String(failure));
    }
  };
  const input = (field: string) => (
    <Field key={field} label={t(`dns.field.${field}` as MessageKey)} error={reason(field)}>
      {(props) => <input {...props} value={values[field] ?? ''} onChange={(e) => setValues({ ...values, [field]: e.target.value })} spellCheck={false} />}
    </Field>
  );
  const otherProblem = error && !['name', 'ttl', ...FIELDS[type]].some((f) => reason(f));
  return (
    <Card title={t('dns.extra')}>
      <p className="help">{t('dns.extraIntro', { domain })}</p>
      {records.length ? (
        <table>
          <tbody>
            {records.map((r, i) => (
              <tr key={i}>
                <td>
                  <code>{r.name}</code>
                </td>
                <td>
                  <span className="tag">{r.type}</span>
                </td>
                <td>
                  <code>{describe(r)}</code>
                </td>
                <td className="actions">
                  <Button kind="quiet" onClick={() => remove(i)}>
                    {t('aliases.remove')}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="empty">{t('dns.noExtra')}</p>
      )}
      <form className="inline-form" onSubmit={add} noValidate>
        {otherProblem && <Notice tone="bad">{error.problems.map((p) => `${p.field}: ${p.reason}`).join('; ') || error.message}</Notice>}
        <Field label={t('dns.type')}>
          {(props) => (
            <select {...props} value={type} onChange={(e) => setType(e.target.value as RecordType)}>
              {TYPES.map((ty) => (
                <option key={ty} value={ty}>
                  {ty}
                </option>
              ))}
            </select>
          )}
        </Field>
        {input('name')}
        {FIELDS[type].map(input)}
        {input('ttl')}
        <div className="form-actions">
          <Button kind="primary" type="submit">
            {t('dns.add')}
          </Button>
        </div>
      </form>
    </Card>
  );
}
