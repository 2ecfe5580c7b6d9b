// Users & aliases: add, edit, disable, delete, reset password, quota; aliases and distribution
// lists; each user's client settings card.
import { useState, type FormEvent } from 'react';
import type { AliasesResponse, UserInfo, UsersResponse } from '../../../server/admin/contract/index.js';
import type { ApiError } from '../api.js';
import { Button, Card, Empty, Field, Loading, Notice, Page, TableHead } from '../components/ui.js';
import { useApp, useLive, useResource, useSubmit } from '../context.js';
import { useI18n } from '../i18n/index.js';
import { formatBytes, randomPassword, splitList } from '../logic/format.js';
import { MB, quotaBytes } from '../quota.js';
import { ClientSetupCard } from './ClientSetup.js';

export function UsersPage() {
  const { t } = useI18n();
  const users = useResource('GET /api/users');
  const aliases = useResource('GET /api/aliases');
  useLive((e) => {
    if (e.type === 'mail' || e.type === 'settings') users.reloadSoon();
  });
  return (
    <Page title={t('nav.users')} intro={t('users.intro')}>
      {users.data ? <AddUser data={users.data} onAdded={users.reload} /> : <Loading error={users.error} />}
      {users.data && (
        <Card title={t('users.list', { count: users.data.users.length })}>
          {users.data.users.length ? (
            <table className="users">
              <TableHead columns={[t('users.address'), t('users.mailbox'), t('users.state')]} actions />
              <tbody>
                {users.data.users.map((user) => (
                  <UserRow key={user.address} user={user} onChange={() => { users.reload(); aliases.reload(); }} />
                ))}
              </tbody>
            </table>
          ) : (
            <Empty>{t('users.none')}</Empty>
          )}
        </Card>
      )}
      {aliases.data && users.data && <Aliases data={aliases.data} domain={users.data.domain} onChange={aliases.reload} />}
    </Page>
  );
}

function AddUser({ data, onAdded }: { data: UsersResponse; onAdded(): void }) {
  const { t } = useI18n();
  const { api, notify } = useApp();
  const [address, setAddress] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [quota, setQuota] = useState(data.defaultQuotaBytes ? String(data.defaultQuotaBytes / MB) : '');
  const { busy, error, run } = useSubmit();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const created = await api.call('POST /api/users', { body: { address, password, displayName: name, quotaBytes: quotaBytes(quota) } });
      notify(t('users.added', { address: created.address }));
      setAddress('');
      setName('');
      setPassword('');
      onAdded();
    });
  };
  return (
    <Card title={t('users.add')}>
      <form onSubmit={submit} className="inline-form" noValidate>
        <Field label={t('users.address')} help={t('users.addressHelp', { domain: data.domain })} error={error?.reasonFor('address')}>
          {(props) => <input {...props} value={address} onChange={(e) => setAddress(e.target.value)} placeholder={`alice@${data.domain}`} spellCheck={false} autoComplete="off" />}
        </Field>
        <Field label={t('users.name')} error={error?.reasonFor('displayName')}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} placeholder="Alice Chen" autoComplete="off" />}
        </Field>
        <Field label={t('users.password')} help={t('users.passwordHelp')} error={error?.reasonFor('password')}>
          {(props) => (
            <div className="with-button">
              <input {...props} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" spellCheck={false} />
              <Button kind="quiet" onClick={() => setPassword(randomPassword())}>
                {t('users.generate')}
              </Button>
            </div>
          )}
        </Field>
        <Field label={t('users.quota')} help={t('users.quotaHelp')} error={error?.reasonFor('quotaBytes')}>
          {(props) => <input {...props} value={quota} onChange={(e) => setQuota(e.target.value)} inputMode="decimal" placeholder="0" />}
        </Field>
        <div className="form-actions">
          <Button kind="primary" type="submit" disabled={busy}>
            {t('users.addButton')}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function UserRow({ user, onChange }: { user: UserInfo; onChange(): void }) {
  const { t, language } = useI18n();
  const { api, notify } = useApp();
  const [open, setOpen] = useState<null | 'edit' | 'password' | 'card' | 'delete'>(null);
  const submission = useSubmit();
  const error = submission.error;
  const toggle = (panel: typeof open) => {
    submission.setError(null);
    setOpen(open === panel ? null : panel);
  };
  const params = { address: user.address };
  const run = (action: () => Promise<unknown>, done: string) =>
    submission.run(async () => {
      await action();
      notify(done);
      setOpen(null);
      onChange();
    });
  const values = { messages: user.messages, used: formatBytes(user.usedBytes, language), quota: formatBytes(user.quotaBytes, language) };
  const one = user.messages === 1;
  const usage = user.quotaBytes ? t(one ? 'users.usageOf.one' : 'users.usageOf', values) : t(one ? 'users.usage.one' : 'users.usage', values);
  return (
    <>
      <tr data-user={user.address}>
        <td>
          <strong>{user.address}</strong>
          {user.displayName && <div className="muted">{user.displayName}</div>}
        </td>
        <td className="usage">{usage}</td>
        <td>{user.disabled ? <span className="badge neutral">{t('users.disabled')}</span> : <span className="badge good">{t('users.active')}</span>}</td>
        <td className="actions">
          <Button kind="quiet" onClick={() => toggle('card')}>{t('users.clientSettings')}</Button>
          <Button kind="quiet" onClick={() => toggle('edit')}>{t('users.edit')}</Button>
          <Button kind="quiet" onClick={() => toggle('password')}>{t('users.resetPassword')}</Button>
          <Button kind="quiet" onClick={() => run(() => api.call('PATCH /api/users/:address', { params, body: { disabled: !user.disabled } }), t(user.disabled ? 'users.enabledDone' : 'users.disabledDone', { address: user.address }))}>
            {user.disabled ? t('users.enable') : t('users.disable')}
          </Button>
          <Button kind="quiet" onClick={() => toggle('delete')}>{t('users.delete')}</Button>
        </td>
      </tr>
      {open && (
        <tr className="detail-row">
          <td colSpan={4}>
            {open === 'edit' && <EditUser user={user} error={error} onSave={(name, quota) => run(() => api.call('PATCH /api/users/:address', { params, body: { displayName: name, quotaBytes: quotaBytes(quota) } }), t('users.saved', { address: user.address }))} />}
            {open === 'password' && <ResetPassword error={error} onSave={(password) => run(() => api.call('POST /api/users/:address/password', { params, body: { password } }), t('users.passwordDone', { address: user.address }))} />}
            {open === 'card' && <UserCard address={user.address} />}
            {open === 'delete' && (
              <div className="confirm">
                <p>{t('users.deleteConfirm', { address: user.address })}</p>
                <Button kind="danger" onClick={() => run(() => api.call('DELETE /api/users/:address', { params }), t('users.deleted', { address: user.address }))}>
                  {t('users.deleteButton')}
                </Button>
                <Button onClick={() => setOpen(null)}>{t('common.cancel')}</Button>
                {error && <Notice tone="bad">{error.message}</Notice>}
              </div>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function EditUser({ user, error, onSave }: { user: UserInfo; error: ApiError | null; onSave(displayName: string, quota: string): void }) {
  const { t } = useI18n();
  const [name, setName] = useState(user.displayName);
  const [quota, setQuota] = useState(user.quotaBytes ? String(user.quotaBytes / MB) : '');
  return (
    <form className="inline-form" noValidate onSubmit={(e) => { e.preventDefault(); onSave(name, quota); }}>
      <Field label={t('users.name')} error={error?.reasonFor('displayName')}>
        {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label={t('users.quota')} help={t('users.quotaHelp')} error={error?.reasonFor('quotaBytes')}>
        {(props) => <input {...props} value={quota} onChange={(e) => setQuota(e.target.value)} inputMode="decimal" />}
      </Field>
      <div className="form-actions">
        <Button kind="primary" type="submit">{t('common.save')}</Button>
      </div>
    </form>
  );
}

function ResetPassword({ error, onSave }: { error: ApiError | null; onSave(password: string): void }) {
  const { t } = useI18n();
  const [password, setPassword] = useState(randomPassword);
  return (
    <form className="inline-form" noValidate onSubmit={(e) => { e.preventDefault(); onSave(password); }}>
      <Field label={t('users.newPassword')} help={t('users.newPasswordHelp')} error={error?.reasonFor('password')}>
        {(props) => <input {...props} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" spellCheck={false} />}
      </Field>
      <div className="form-actions">
        <Button kind="primary" type="submit">{t('users.setPassword')}</Button>
      </div>
    </form>
  );
}

function UserCard({ address }: { address: string }) {
  const card = useResource('GET /api/users/:address/client-setup', { params: { address } });
  return card.data ? <ClientSetupCard setup={card.data} /> : <Loading error={card.error} />;
}

function Aliases({ data, domain, onChange }: { data: AliasesResponse; domain: string; onChange(): void }) {
  const { t } = useI18n();
  const { api, notify } = useApp();
  const [address, setAddress] = useState('');
  const [targets, setTargets] = useState('');
  const { error, run } = useSubmit();
  const add = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const created = await api.call('POST /api/aliases', { body: { address, targets: splitList(targets) } });
      notify(t('aliases.added', { address: created.address }));
      setAddress('');
      setTargets('');
      onChange();
    });
  };
  const remove = async (alias: string, target?: string) => {
    try {
      await api.call('DELETE /api/aliases/:address', { params: { address: alias }, query: { target } });
      onChange();
    } catch (failure) {
      notify(failure instanceof Error ? failure.message : String(failure));
    }
  };
  return (
    <Card title={t('aliases.title')}>
      <p className="help">{t('aliases.intro')}</p>
      {data.aliases.length ? (
        <table className="aliases">
          <TableHead columns={[t('aliases.address'), t('aliases.targets')]} actions />
          <tbody>
            {data.aliases.map((alias) => (
              <tr key={alias.address}>
                <td>
                  <strong>{alias.address}</strong>
                  {alias.targets.length > 1 && <span className="tag">{t('aliases.list')}</span>}
                </td>
                <td>
                  <ul className="targets">
                    {alias.targets.map((target) => (
                      <li key={target}>
                        {target}
                        {alias.targets.length > 1 && (
                          <button type="button" className="link" onClick={() => remove(alias.address, target)} aria-label={t('aliases.removeTarget', { target })}>
                            ✕
                          </button>
                        )}
                      </li>
                    ))}
                  </ul>
                </td>
                <td className="actions">
                  <Button kind="quiet" onClick={() => remove(alias.address)}>{t('aliases.remove')}</Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty>{t('aliases.none')}</Empty>
      )}
      <form onSubmit={add} className="inline-form" noValidate>
        <Field label={t('aliases.address')} error={error?.reasonFor('address')}>
          {(props) => <input {...props} value={address} onChange={(e) => setAddress(e.target.value)} placeholder={`info@${domain}`} spellCheck={false} />}
        </Field>
        <Field label={t('aliases.targets')} help={t('aliases.targetsHelp')} error={error?.reasonFor('targets')}>
          {(props) => <input {...props} value={targets} onChange={(e) => setTargets(e.target.value)} placeholder={`alice@${domain}, bob@${domain}`} spellCheck={false} />}
        </Field>
        <div className="form-actions">
          <Button kind="primary" type="submit">{t('aliases.add')}</Button>
        </div>
      </form>
    </Card>
  );
}
