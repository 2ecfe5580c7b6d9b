// Logs: the engine's log lines, live, filterable by level, source and text.
import { useEffect, useMemo, useState } from 'react';
import type { LogEntry } from '../../../server/admin/contract/index.js';
import { Button, Empty, Loading, Page } from '../components/ui.js';
import { useApp, useLive } from '../context.js';
import { useI18n } from '../i18n/index.js';
import { formatTime } from '../logic/format.js';

const KEEP = 2000;

export function LogsPage() {
  const { t, language } = useI18n();
  const { api } = useApp();
  const [entries, setEntries] = useState<LogEntry[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [level, setLevel] = useState<'all' | 'warn' | 'error'>('all');
  const [source, setSource] = useState('all');
  const [text, setText] = useState('');
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    api.call('GET /api/logs').then((answer) => setEntries(answer.entries), setError);
  }, [api]);
  useLive((event) => {
    if (event.type === 'log' && !paused) setEntries((list) => (list ? [...list, event.entry].slice(-KEEP) : list));
  });
  const sources = useMemo(() => [...new Set((entries ?? []).map((e) => e.source))].sort(), [entries]);
  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return (entries ?? [])
      .filter((e) => level === 'all' || (level === 'warn' ? e.level !== 'info' : e.level === 'error'))
      .filter((e) => source === 'all' || e.source === source)
      .filter((e) => !needle || `${e.message} ${e.client ?? ''} ${e.user ?? ''}`.toLowerCase().includes(needle))
      .slice()
      .reverse();
  }, [entries, level, source, text]);
  return (
    <Page title={t('nav.logs')} intro={t('logs.intro')} actions={<Button onClick={() => setPaused(!paused)}>{paused ? t('logs.resume') : t('inspector.pause')}</Button>}>
      <div className="filters">
        <label>
          {t('logs.level')}{' '}
          <select value={level} onChange={(e) => setLevel(e.target.value as typeof level)}>
            <option value="all">{t('logs.all')}</option>
            <option value="warn">{t('logs.warnings')}</option>
            <option value="error">{t('logs.errors')}</option>
          </select>
        </label>
        <label>
          {t('logs.source')}{' '}
          <select value={source} onChange={(e) => setSource(e.target.value)}>
            <option value="all">{t('logs.all')}</option>
            {sources.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('logs.search')} <input type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
      </div>
      {!entries ? (
        <Loading error={error} />
      ) : shown.length ? (
        <table className="logs">
          <tbody>
            {shown.map((e, i) => (
              <tr key={`${e.time}-${i}`} className={e.level}>
                <td className="time">{formatTime(e.time, language)}</td>
                <td>
                  <span className={`badge ${e.level === 'error' ? 'bad' : e.level === 'warn' ? 'warn' : 'neutral'}`}>{t(`logs.${e.level}`)}</span>
                </td>
                <td className="source">{e.source}</td>
                <td className="message">
                  {e.message}
                  {(e.client || e.user) && <span className="muted"> {[e.client, e.user].filter(Boolean).join(' · ')}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty>{t('logs.none')}</Empty>
      )}
    </Page>
  );
}
