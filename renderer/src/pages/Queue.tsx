// Queue: mail for other domains that is waiting to be sent — who, to whom, what the other
// server last said, when the next try is; retry now or delete.
import { useState } from 'react';
import type { QueueEntryInfo } from '../../../server/admin/contract/index.js';
import { Button, Card, Empty, Loading, Page, TableHead } from '../components/ui.js';
import { useApp, useLive, useResource } from '../context.js';
import { useI18n } from '../i18n/index.js';
import { formatBytes } from '../logic/format.js';

export function QueuePage() {
  const { t } = useI18n();
  const queue = useResource('GET /api/queue');
  useLive((e) => e.type === 'queue' && queue.reloadSoon());
  return (
    <Page title={t('nav.queue')} intro={t('queue.intro')}>
      {!queue.data ? (
        <Loading error={queue.error} />
      ) : queue.data.entries.length ? (
        queue.data.entries.map((entry) => <Entry key={entry.id} entry={entry} onChange={queue.reload} />)
      ) : (
        <Card>
          <Empty>{t('queue.empty')}</Empty>
        </Card>
      )}
    </Page>
  );
}

function Entry({ entry, onChange }: { entry: QueueEntryInfo; onChange(): void }) {
  const { t, language } = useI18n();
  const { api, notify } = useApp();
  const [confirm, setConfirm] = useState(false);
  const when = (ms: number) => new Date(ms).toLocaleString(language, { dateStyle: 'short', timeStyle: 'short' });
  const act = async (action: () => Promise<unknown>, done: string) => {
    try {
      await action();
      notify(done);
    } catch (failure) {
      notify(failure instanceof Error ? failure.message : String(failure));
    }
    onChange();
  };
  const waiting = entry.recipients.some((r) => r.status === 'pending');
  return (
    <Card
      title={
        <>
          {t('queue.from', { sender: entry.sender || t('queue.nullSender') })} <span className="muted">· {formatBytes(entry.size, language)} · {when(entry.createdAt)}</span>
        </>
      }
      actions={
        <div className="page-actions">
          {waiting && (
            <Button onClick={() => act(() => api.call('POST /api/queue/:id/retry', { params: { id: entry.id } }), t('queue.retried'))}>{t('queue.retry')}</Button>
          )}
          {confirm ? (
            <Button kind="danger" onClick={() => act(() => api.call('DELETE /api/queue/:id', { params: { id: entry.id } }), t('queue.deleted'))}>
              {t('queue.confirmDelete')}
            </Button>
          ) : (
            <Button kind="quiet" onClick={() => setConfirm(true)}>
              {t('queue.delete')}
            </Button>
          )}
        </div>
      }
    >
      <table>
        <TableHead columns={[t('queue.recipient'), t('overview.state'), t('queue.lastAnswer'), t('queue.next')]} />
        <tbody>
          {entry.recipients.map((r) => (
            <tr key={r.recipient}>
              <td>{r.recipient}</td>
              <td>
                <span className={`badge ${r.status === 'delivered' ? 'good' : r.status === 'pending' ? 'warn' : 'bad'}`}>{t(`queue.status.${r.status}`)}</span>
                <div className="muted">{t('queue.attempts', { count: r.attempts })}</div>
              </td>
              <td>
                {r.lastResponse ? <code>{r.lastResponse}</code> : <span className="muted">{t('queue.notTried')}</span>}
                {r.remoteHost && <div className="muted">{r.remoteHost}</div>}
              </td>
              <td>{r.nextAttemptAt ? when(r.nextAttemptAt) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">{t('queue.id', { id: entry.id })}</p>
    </Card>
  );
}
