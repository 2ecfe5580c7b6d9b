// Classroom: a class of student accounts in one step — N accounts from a prefix, or a CSV of names
// and addresses — with password slips to print; new slips (new passwords), the reset at the end of
// term (mail removed, new passwords) and deleting the class with its accounts. Passwords are shown
// only in the slips right after they are made: LanPost keeps none. Below, the same server in the
// classic stack (Postfix, Dovecot, BIND), for the lesson that compares the two.
import { useState, type FormEvent, type ReactNode } from 'react';
import type { ApiError } from '../api.js';
import type { ClassInfo, ClientSetup, IssuedResponse } from '../../../server/admin/contract/index.js';
import { ClassicConfigCard } from '../components/ClassicConfig.js';
import { Button, Card, Empty, Field, Loading, Notice, Page, TableHead } from '../components/ui.js';
import { useApp, useResource, useSubmit } from '../context.js';
import { useI18n } from '../i18n/index.js';
import { formatDate } from '../logic/format.js';
import { quotaBytes } from '../quota.js';

export function ClassroomPage() {
  const { t } = useI18n();
  const classes = useResource('GET /api/classes');
  const setup = useResource('GET /api/client-setup');
  const [slips, setSlips] = useState<IssuedResponse | null>(null);
  const issued = (answer: IssuedResponse) => {
    setSlips(answer);
    classes.reload();
  };
  return (
    <Page title={t('nav.classroom')} intro={t('class.intro')}>
      {slips && setup.data && <Slips issued={slips} setup={setup.data} onClose={() => setSlips(null)} />}
      {classes.data ? (
        <>
          <ClassList classes={classes.data.classes} onIssued={issued} onChange={classes.reload} />
          <div className="field-grid">
            <CreateClass limit={classes.data.limit} onIssued={issued} />
            <ImportClass limit={classes.data.limit} onIssued={issued} />
          </div>
        </>
      ) : (
        <Loading error={classes.error} />
      )}
      <ClassicConfigCard />
    </Page>
  );
}

function ClassList({ classes, onIssued, onChange }: { classes: ClassInfo[]; onIssued(answer: IssuedResponse): void; onChange(): void }) {
  const { t } = useI18n();
  return (
    <Card title={t('class.list', { count: classes.length })}>
      {classes.length ? (
        <table className="classes">
          <TableHead columns={[t('class.name'), t('class.accounts'), t('class.made')]} actions />
          <tbody>
            {classes.map((entry) => (
              <ClassRow key={entry.name} entry={entry} onIssued={onIssued} onChange={onChange} />
            ))}
          </tbody>
        </table>
      ) : (
        <Empty>{t('class.none')}</Empty>
      )}
    </Card>
  );
}

function ClassRow({ entry, onIssued, onChange }: { entry: ClassInfo; onIssued(answer: IssuedResponse): void; onChange(): void }) {
  const { t, language } = useI18n();
  const { api, notify } = useApp();
  const [open, setOpen] = useState<null | 'members' | 'slips' | 'reset' | 'delete'>(null);
  const { busy, error, run } = useSubmit();
  const params = { name: entry.name };
  const confirm = (what: 'slips' | 'reset' | 'delete', action: () => Promise<void>) => (
    <div className="confirm">
      <p>{t(`class.confirm.${what}`, { name: entry.name, count: entry.members.length })}</p>
      <Button kind={what === 'slips' ? 'primary' : 'danger'} disabled={busy} onClick={() => void run(action).then((refused) => !refused && setOpen(null))}>
        {t(`class.do.${what}`)}
      </Button>
      <Button onClick={() => setOpen(null)}>{t('common.cancel')}</Button>
      {error && <Notice tone="bad">{error.message}</Notice>}
    </div>
  );
  return (
    <>
      <tr data-class={entry.name}>
        <td>
          <strong>{entry.name}</strong>
        </td>
        <td>{entry.members.length}</td>
        <td>{formatDate(entry.createdAt, language)}</td>
        <td className="actions">
          <Button kind="quiet" onClick={() => setOpen(open === 'members' ? null : 'members')}>{t('class.members')}</Button>
          <Button kind="quiet" onClick={() => setOpen('slips')}>{t('class.slips')}</Button>
          <Button kind="quiet" onClick={() => setOpen('reset')}>{t('class.reset')}</Button>
          <Button kind="quiet" onClick={() => setOpen('delete')}>{t('class.delete')}</Button>
        </td>
      </tr>
      {open && (
        <tr className="detail-row">
          <td colSpan={4}>
            {open === 'members' && (
              <ul className="plain members">
                {entry.members.map((member) => (
                  <li key={member.address}>
                    <code>{member.address}</code> {member.displayName && <span className="muted">{member.displayName}</span>}
                  </li>
                ))}
              </ul>
            )}
            {open === 'slips' && confirm('slips', async () => onIssued(await api.call('POST /api/classes/:name/slips', { params })))}
            {open === 'reset' &&
              confirm('reset', async () => {
                const answer = await api.call('POST /api/classes/:name/reset', { params });
                notify(t('class.resetDone', { name: entry.name, count: answer.messagesRemoved }));
                onIssued(answer);
              })}
            {open === 'delete' &&
              confirm('delete', async () => {
                const answer = await api.call('DELETE /api/classes/:name', { params });
                notify(t('class.deleted', { name: entry.name, count: answer.deleted.length }));
                onChange();
              })}
          </td>
        </tr>
      )}
    </>
  );
}

function CreateClass({ limit, onIssued }: { limit: number; onIssued(answer: IssuedResponse): void }) {
  const { t } = useI18n();
  const { api } = useApp();
  const [prefix, setPrefix] = useState('student');
  const [count, setCount] = useState('30');
  return (
    <ClassForm
      title={t('class.create')}
      button={t('class.createButton')}
      nameHelp={t('class.nameHelp')}
      make={(name, quotaBytes) => api.call('POST /api/classes', { body: { name, prefix, count: Number(count), quotaBytes } })}
      onIssued={onIssued}
      fields={(error) => (
        <>
          <Field label={t('class.prefix')} help={t('class.prefixHelp', { example: `${prefix || 'student'}01` })} error={error?.reasonFor('prefix')}>
            {(props) => <input {...props} value={prefix} onChange={(e) => setPrefix(e.target.value)} spellCheck={false} autoComplete="off" />}
          </Field>
          <Field label={t('class.count')} help={t('class.countHelp', { limit })} error={error?.reasonFor('count')}>
            {(props) => <input {...props} value={count} onChange={(e) => setCount(e.target.value)} inputMode="numeric" className="port" />}
          </Field>
        </>
      )}
    />
  );
}

function ImportClass({ limit, onIssued }: { limit: number; onIssued(answer: IssuedResponse): void }) {
  const { t } = useI18n();
  const { api } = useApp();
  const [csv, setCsv] = useState('');
  return (
    <ClassForm
      title={t('class.import')}
      button={t('class.importButton')}
      make={async (name, quotaBytes) => {
        const answer = await api.call('POST /api/classes/import', { body: { name, csv, quotaBytes } });
        setCsv('');
        return answer;
      }}
      onIssued={onIssued}
      fields={(error) => (
        <>
          <Field label={t('class.csvFile')} help={t('class.csvHelp', { limit })}>
            {(props) => <input {...props} type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void e.target.files?.[0]?.text().then(setCsv)} />}
          </Field>
          <Field label={t('class.csv')} error={error?.reasonFor('csv') ?? error?.reasonFor('count') ?? error?.reasonFor('address')}>
            {(props) => <textarea {...props} rows={6} value={csv} onChange={(e) => setCsv(e.target.value)} placeholder={'name,address\nLi Wei,li.wei\n张伟,zhang.wei'} spellCheck={false} />}
          </Field>
        </>
      )}
    />
  );
}

/** A form that makes a class: its name, what this way of making it asks for (`fields`), a quota; the slips go to `onIssued`. */
function ClassForm(props: {
  title: string;
  button: string;
  nameHelp?: string;
  make(name: string, quotaBytes: number): Promise<IssuedResponse>;
  fields(error: ApiError | null): ReactNode;
  onIssued(answer: IssuedResponse): void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [quota, setQuota] = useState('');
  const { busy, error, run } = useSubmit();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      props.onIssued(await props.make(name, quotaBytes(quota)));
      setName('');
    });
  };
  return (
    <Card title={props.title}>
      <form onSubmit={submit} noValidate>
        <Field label={t('class.name')} help={props.nameHelp} error={error?.reasonFor('name')}>
          {(field) => <input {...field} value={name} onChange={(e) => setName(e.target.value)} placeholder="7a" autoComplete="off" />}
        </Field>
        {props.fields(error)}
        <Field label={t('users.quota')} help={t('users.quotaHelp')} error={error?.reasonFor('quotaBytes')}>
          {(field) => <input {...field} value={quota} onChange={(e) => setQuota(e.target.value)} inputMode="decimal" placeholder="0" className="narrow" />}
        </Field>
        {error && !error.problems.length && <Notice tone="bad">{error.message}</Notice>}
        <Button kind="primary" type="submit" disabled={busy}>
          {busy ? t('class.making') : props.button}
        </Button>
      </form>
    </Card>
  );
}

/** The passwords just made, one slip per student, with the servers to type in; printed alone. */
function Slips({ issued, setup, onClose }: { issued: IssuedResponse; setup: ClientSetup; onClose(): void }) {
  const { t } = useI18n();
  const server = (list: ClientSetup['incoming']) => {
    const best = list.find((s) => s.recommended);
    return best ? `${best.host} : ${best.port} ${t(`client.tls.${best.tls}`)}` : '—';
  };
  const imap = server(setup.incoming.filter((s) => s.kind === 'imap'));
  const smtp = server(setup.outgoing);
  return (
    <Card title={t('class.slipsTitle', { name: issued.name, count: issued.accounts.length })} className="slips-card" actions={
      <div className="page-actions">
        <Button kind="primary" onClick={() => window.print()}>{t('class.print')}</Button>
        <Button onClick={onClose}>{t('class.closeSlips')}</Button>
      </div>
    }>
      <Notice tone="warn">{t('class.onlyNow')}</Notice>
      <div className="print-area">
        <div className="slips">
          {issued.accounts.map((account) => (
            <section className="slip" key={account.address} data-slip={account.address}>
              <h3>{account.displayName || account.address}</h3>
              <dl className="facts">
                <dt>{t('class.slip.address')}</dt>
                <dd><code>{account.address}</code></dd>
                <dt>{t('class.slip.password')}</dt>
                <dd><code className="slip-password">{account.password}</code></dd>
                <dt>{t('client.kind.imap')}</dt>
                <dd><code>{imap}</code></dd>
                <dt>{t('client.kind.smtp')}</dt>
                <dd><code>{smtp}</code></dd>
                <dt>{t('client.username')}</dt>
                <dd><code>{account.address}</code></dd>
              </dl>
            </section>
          ))}
        </div>
      </div>
    </Card>
  );
}
