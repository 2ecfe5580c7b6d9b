// Protocol inspector (for the classroom): live sessions, and the chosen one's C:/S: transcript as
// it happens, TLS upgrade marked, secrets already redacted by the engine, each command and reply
// explained (or raw). A message path's step opens it on its session with its lines marked
// (#/inspector?session=service/id&lines=…).
import { useEffect, useMemo, useRef, useState } from 'react';
import type { TranscriptLine } from '../../../server/admin/contract/index.js';
import { saveBlob } from '../api.js';
import { TranscriptLines, ViewToggles } from '../components/TranscriptLines.js';
import { Button, Empty, Loading, Notice, Page } from '../components/ui.js';
import { useApp, useLive } from '../context.js';
import { useI18n } from '../i18n/index.js';
import { formatTime } from '../logic/format.js';
import { SessionIndex, exportTranscript, inspectorLink, protocolOf, type Session } from '../logic/sessions.js';

const PROTOCOLS = ['all', 'smtp', 'pop3', 'imap', 'dns'] as const;

export function InspectorPage() {
  const { t } = useI18n();
  const { api } = useApp();
  const index = useRef(new SessionIndex());
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [link, setLink] = useState(() => inspectorLink(window.location.hash));
  const [selected, setSelected] = useState<string | null>(link?.session ?? null);
  const [protocol, setProtocol] = useState<(typeof PROTOCOLS)[number]>('all');
  const [paused, setPaused] = useState(false);
  const held = useRef<TranscriptLine[]>([]);
  const [heldCount, setHeldCount] = useState(0);
  const transcriptRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    Promise.all([api.call('GET /api/inspector'), api.call('GET /api/logs')]).then(
      ([transcript, logs]) => {
        index.current.addAll(transcript.lines);
        for (const entry of logs.entries) if (entry.session && entry.user) index.current.noteUser(entry.source, entry.session, entry.user);
        setLoaded(true);
        setVersion((v) => v + 1);
      },
      setError,
    );
  }, [api]);
  useLive((event) => {
    if (event.type === 'log' && event.entry.session && event.entry.user) {
      if (index.current.noteUser(event.entry.source, event.entry.session, event.entry.user)) setVersion((v) => v + 1);
      return;
    }
    if (event.type !== 'inspector') return;
    if (paused) {
      held.current.push(event.line);
      setHeldCount(held.current.length);
      return;
    }
    index.current.add(event.line);
    setVersion((v) => v + 1);
  });
  const resume = () => {
    index.current.addAll(held.current.splice(0));
    setHeldCount(0);
    setPaused(false);
    setVersion((v) => v + 1);
  };

  useEffect(() => {
    const onHash = () => {
      const next = inspectorLink(window.location.hash);
      if (!next) return;
      setLink(next);
      setSelected(next.session);
      setProtocol('all');
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const sessions = useMemo(() => index.current.list().filter((s) => protocol === 'all' || protocolOf(s.service) === protocol), [version, protocol]);
  const current = (selected && index.current.get(selected)) || null;
  const lineCount = current?.lines.length ?? 0;
  const marked = link && link.session === selected ? link.lines : undefined;
  // Follow the conversation as it grows, unless the reader scrolled up to look at something, or
  // lines are marked (a message path's step): those are shown.
  useEffect(() => {
    const box = transcriptRef.current;
    if (!box) return;
    const first = marked?.size ? box.querySelector('.line.highlighted') : null;
    if (first) first.scrollIntoView({ block: 'center' });
    else if (box.scrollHeight - box.scrollTop - box.clientHeight < 160) box.scrollTop = box.scrollHeight;
  }, [lineCount, selected, marked, loaded]);
  return (
    <Page
      title={t('nav.inspector')}
      intro={t('inspector.intro')}
      actions={
        <>
          <Button onClick={() => (paused ? resume() : setPaused(true))}>{paused ? t('inspector.resume', { count: heldCount }) : t('inspector.pause')}</Button>
          <ViewToggles />
        </>
      }
    >
      <div className="filters" role="group" aria-label={t('inspector.filter')}>
        {PROTOCOLS.map((p) => (
          <button key={p} type="button" className={protocol === p ? 'chip-button selected' : 'chip-button'} aria-pressed={protocol === p} onClick={() => setProtocol(p)}>
            {p === 'all' ? t('inspector.all') : p.toUpperCase()}
          </button>
        ))}
      </div>
      {!loaded ? (
        <Loading error={error} />
      ) : (
        <div className="inspector">
          <div className="session-list" role="listbox" aria-label={t('inspector.sessions')}>
            {sessions.length ? (
              sessions.map((s) => <SessionItem key={s.key} session={s} selected={s.key === selected} onSelect={() => setSelected(s.key)} />)
            ) : (
              <Empty>{t('inspector.noSessions')}</Empty>
            )}
          </div>
          <div className="transcript" ref={transcriptRef} aria-live={paused ? 'off' : 'polite'}>
            {current ? (
              <>
                <header className="transcript-header">
                  <h2>
                    {current.service.toUpperCase()} · {current.client || '?'} {current.user && <span className="muted">· {current.user}</span>}
                  </h2>
                  <Button kind="quiet" onClick={() => saveBlob(new Blob([exportTranscript(current)], { type: 'text/plain' }), `${current.service}-${current.session}.txt`)}>
                    {t('inspector.export')}
                  </Button>
                </header>
                <TranscriptLines lines={current.lines} highlighted={marked} />
              </>
            ) : selected && link?.session === selected ? (
              <Notice tone="warn">{t('inspector.linkGone')}</Notice>
            ) : (
              <Empty>{sessions.length ? t('inspector.choose') : t('inspector.howTo')}</Empty>
            )}
          </div>
        </div>
      )}
    </Page>
  );
}

function SessionItem({ session, selected, onSelect }: { session: Session; selected: boolean; onSelect(): void }) {
  const { t, language } = useI18n();
  return (
    <button type="button" role="option" aria-selected={selected} className={`session${selected ? ' selected' : ''}`} onClick={onSelect}>
      <span className={`proto ${protocolOf(session.service)}`}>{session.service.toUpperCase()}</span>
      <span className="session-client">{session.client || '?'}</span>
      <span className="muted">
        {formatTime(session.start, language)} · {session.user ?? (session.authenticated ? t('inspector.loggedIn') : t('inspector.noUser'))} · {t(session.state === 'open' ? 'inspector.open' : 'inspector.closed')}
        {session.tls && ' · TLS'}
      </span>
    </button>
  );
}
