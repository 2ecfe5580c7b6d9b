// Backup: the last backup (when, where, how big, its result or why it failed), "back up now",
// the daily schedule, and how to restore.
import { useEffect } from 'react';
import type { BackupResponse } from '../../../server/admin/contract/index.js';
import { SettingsForm } from '../components/SettingsForm.js';
import { Button, Card, CopyBlock, Empty, Loading, Notice, Page } from '../components/ui.js';
import { useApp, useResource, useSubmit } from '../context.js';
import { useI18n } from '../i18n/index.js';
import { formatBytes, formatDateTime } from '../logic/format.js';
import { BACKUP_GROUP } from '../logic/settings-fields.js';

/** How often the page asks again while a backup runs. */
const POLL_MS = 1000;

export function BackupPage() {
  const { t } = useI18n();
  const { api, notify } = useApp();
  const backup = useResource('GET /api/backup');
  const { busy, error, run } = useSubmit();
  const running = !!backup.data?.running;
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(backup.reload, POLL_MS);
    return () => window.clearInterval(timer);
  }, [running, backup.reload]);
  const backUpNow = () =>
    void run(async () => {
      await api.call('POST /api/backup');
      notify(t('backup.started'));
      backup.reload();
    });
  return (
    <Page
      title={t('nav.backup')}
      intro={t('backup.intro')}
      actions={
        <Button kind="primary" onClick={backUpNow} disabled={busy || running}>
          {running ? t('backup.running') : t('backup.now')}
        </Button>
      }
    >
      {error && <Notice tone="bad">{error.message}</Notice>}
      {!backup.data ? <Loading error={backup.error} /> : <LastBackup status={backup.data} />}
      <SettingsForm groups={[BACKUP_GROUP]} onSaved={backup.reload} />
      {backup.data && <RestoreSteps dataDir={backup.data.dataDir} folder={backup.data.folder} />}
    </Page>
  );
}

function LastBackup({ status }: { status: BackupResponse }) {
  const { t, language } = useI18n();
  const { last } = status;
  return (
    <Card title={t('backup.last')}>
      {!last ? (
        <Empty>{t('backup.none')}</Empty>
      ) : last.ok ? (
        <Notice tone="good">
          {t('backup.ok', { when: formatDateTime(Date.parse(last.at), language), size: formatBytes(last.bytes, language), messages: last.messages, seconds: last.seconds.toFixed(1) })}
          <br />
          <code>{last.file}</code>
        </Notice>
      ) : (
        <Notice tone="bad">
          {t('backup.failed', { when: formatDateTime(Date.parse(last.at), language), reason: last.error ?? '' })}
          <br />
          <code>{last.file}</code>
        </Notice>
      )}
      <p className="muted">
        {status.nextAt === null ? t('backup.off') : t('backup.next', { when: formatDateTime(status.nextAt, language) })} {t('backup.folder', { folder: status.folder })}
      </p>
    </Card>
  );
}

function RestoreSteps({ dataDir, folder }: { dataDir: string; folder: string }) {
  const { t } = useI18n();
  const archive = `${folder}/lanpost-backup-….tar`;
  return (
    <Card title={t('backup.restore.title')}>
      <ol>
        <li>{t('backup.restore.stop')}</li>
        <li>{t('backup.restore.run')}</li>
        <li>{t('backup.restore.start', { dataDir })}</li>
      </ol>
      <CopyBlock lines={[`lanpost restore ${archive} --data ${dataDir}-restored`, `lanpost serve --data ${dataDir}-restored`]} label={t('backup.restore.title')} />
      <p className="muted">{t('backup.restore.note')}</p>
    </Card>
  );
}
