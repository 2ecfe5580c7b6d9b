// Message path (for the classroom): one message's whole way as a timeline — the DNS lookups around
// it, the SMTP session that handed it over, the copies stored or the queue entry, the IMAP IDLE
// sessions told of it, the FETCH or RETR that read it, the hop to another server — each step with
// its transcript lines (raw or explained) and a link to them in the Protocol inspector. Pick a
// recent message, one from a user's mailbox, or follow the next one to arrive.
import { Fragment, useState } from 'react';
import type { MessagePath, PathStep, PathSummary } from '../../../server/admin/contract/index.js';
import { TranscriptLines, ViewToggles } from '../components/TranscriptLines.js';
import { Button, Card, Empty, Loading, Notice, Page } from '../components/ui.js';
import { useLive, useResource } from '../context.js';
import { useI18n } from '../i18n/index.js';
import { formatBytes, formatTime } from '../logic/format.js';
import { inspectorHref } from '../logic/sessions.js';

export function MessagePathPage() {
  const { t } = useI18n();
  const recent = useResource('GET /api/paths');
  const [chosen, setChosen] = useState<string | null>(null);
  const [following, setFollowing] = useState(false);
  useLive((event) => {
    if (event.type !== 'path') return;
    if (event.created) recent.reloadSoon();
    if (event.created && following) {
      setChosen(event.id);
      setFollowing(false);
    }
  });
  return (
    <Page
      title={t('nav.paths')}
      intro={t('path.intro')}
      actions={
        <>
          <Button kind={following ? 'primary' : 'secondary'} onClick={() => setFollowing(!following)}>
            {following ? t('path.following') : t('path.follow')}
          </Button>
          <ViewToggles />
        </>
      }
    >
      <div className="path-layout">
        <div className="path-pickers">
          <Card title={t('path.recent')}>
            {recent.data ? (
              recent.data.paths.length ? (
                <ul className="plain path-list" role="listbox" aria-label={t('path.recent')}>
                  {recent.data.paths.map((summary) => (
                    <PathItem key={summary.id} summary={summary} selected={summary.id === chosen} onSelect={() => setChosen(summary.id)} />
                  ))}
                </ul>
              ) : (
                <Empty>{t('path.none', { kept: recent.data.kept })}</Empty>
              )
            ) : (
              <Loading error={recent.error} />
            )}
          </Card>
          <MailboxPicker onPick={setChosen} />
        </div>
        <div className="path-view">{following ? <Notice>{t('path.waiting')}</Notice> : chosen ? <PathView id={chosen} /> : <Empty>{t('path.choose')}</Empty>}</div>
      </div>
    </Page>
  );
}

function PathItem({ summary, selected, onSelect }: { summary: PathSummary; selected: boolean; onSelect(): void }) {
  const { t, language } = useI18n();
  return (
    <li>
      <button type="button" role="option" aria-selected={selected} className={`session${selected ? ' selected' : ''}`} onClick={onSelect}>
        <strong>{summary.subject || t('path.noSubject')}</strong>
        <span className="muted">
          {formatTime(summary.time, language)} · {summary.sender || t('path.nullSender')} → {summary.recipients.join(', ')}
        </span>
      </button>
    </li>
  );
}

/** A user's mailbox, newest first: a message with a recorded path opens it. */
function MailboxPicker({ onPick }: { onPick(id: string): void }) {
  const { t } = useI18n();
  const users = useResource('GET /api/users');
  const [address, setAddress] = useState('');
  const [mailbox, setMailbox] = useState('INBOX');
  const [missing, setMissing] = useState(false);
  return (
    <Card title={t('path.fromMailbox')}>
      {users.data ? (
        <div className="inline-form">
          <label>
            {t('path.user')}
            <select value={address} onChange={(e) => { setAddress(e.target.value); setMailbox('INBOX'); setMissing(false); }}>
              <option value="">—</option>
              {users.data.users.map((user) => (
                <option key={user.address} value={user.address}>{user.address}</option>
              ))}
            </select>
          </label>
        </div>
      ) : (
        <Loading error={users.error} />
      )}
      {address && <MailboxMessages address={address} mailbox={mailbox} onMailbox={setMailbox} onPick={(id) => (id ? onPick(id) : setMissing(true))} />}
      {missing && <Notice tone="warn">{t('path.notRecorded')}</Notice>}
      <p className="help">{t('path.pickHelp')}</p>
    </Card>
  );
}

function MailboxMessages({ address, mailbox, onMailbox, onPick }: { address: string; mailbox: string; onMailbox(name: string): void; onPick(id: string | null): void }) {
  const { t, language } = useI18n();
  const listing = useResource('GET /api/users/:address/messages', { params: { address }, query: { mailbox } });
  useLive((event) => event.type === 'mail' && event.mail.user === address && listing.reloadSoon());
  if (!listing.data) return <Loading error={listing.error} />;
  return (
    <>
      <label>
        {t('path.mailbox')}
        <select value={mailbox} onChange={(e) => onMailbox(e.target.value)}>
          {listing.data.mailboxes.map((name) => (
            <option key={name} value={name}>{name}</option>
          ))}
        </select>
      </label>
      {listing.data.messages.length ? (
        <ul className="plain path-list">
          {listing.data.messages.map((message) => (
            <li key={message.uid}>
              <button type="button" className="session" onClick={() => onPick(message.path)}>
                <strong>{message.subject || t('path.noSubject')}</strong>
                <span className="muted">
                  {formatTime(message.time, language)} · {message.from ?? '?'} {message.path ? '' : `· ${t('path.noPathShort')}`}
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <Empty>{t('path.emptyMailbox')}</Empty>
      )}
    </>
  );
}

function PathView({ id }: { id: string }) {
  const { t, language } = useI18n();
  const path = useResource('GET /api/paths/:id', { params: { id } });
  useLive((event) => event.type === 'path' && event.id === id && path.reloadSoon());
  if (!path.data) return <Loading error={path.error} />;
  const message: MessagePath = path.data;
  return (
    <article className="path" aria-label={message.subject ?? message.id}>
      <header className="path-header">
        <h2>{message.subject || t('path.noSubject')}</h2>
        <p className="muted">
          {t('path.summary', { sender: message.sender || t('path.nullSender'), recipients: message.recipients.join(', '), size: formatBytes(message.size, language), id: message.id })}
          {message.messageId && <> · <code>{message.messageId}</code></>}
        </p>
      </header>
      <ol className="timeline">
        {message.steps.map((step, i) => (
          <Step key={i} step={step} />
        ))}
      </ol>
    </article>
  );
}

function Step({ step }: { step: PathStep }) {
  const { t, language } = useI18n();
  const session = step.session;
  return (
    <li className={`step ${step.kind}`} data-kind={step.kind}>
      <header className="step-header">
        <span className="step-kind">{t(`path.step.${step.kind}`)}</span>
        <span className="time">{formatTime(step.time, language)}</span>
        {session && (
          <span className="step-session" data-session={session.session}>
            {session.service.toUpperCase()} {session.session} · {session.client}
          </span>
        )}
        {session && step.lines.length > 0 && (
          <a href={inspectorHref(session.service, session.session, step.lines.map((l) => l.id))}>{t('path.showInInspector')}</a>
        )}
      </header>
      <p className="help">{t(`path.about.${step.kind}`)}</p>
      {step.facts.length > 0 && (
        <dl className="facts">
          {step.facts.map((fact, i) => (
            <Fragment key={i}>
              <dt>{t(`path.fact.${fact.key}`)}</dt>
              <dd>
                <code className="wrap">{fact.value}</code>
              </dd>
            </Fragment>
          ))}
        </dl>
      )}
      {step.lines.length > 0 && (
        <div className="transcript step-lines">
          <TranscriptLines lines={step.lines} />
        </div>
      )}
    </li>
  );
}
