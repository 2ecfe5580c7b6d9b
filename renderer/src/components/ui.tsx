// The window's small building blocks: page frame, cards, fields with their error, buttons,
// state badges, copy-ready command blocks, notices and empty states.
import { useId, useState, type ReactNode } from 'react';
import type { ServiceState } from '../../../server/admin/contract/index.js';
import { ApiError } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { localizeReason } from '../logic/reasons.js';

export function Page({ title, intro, actions, children }: { title: string; intro?: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <div>
          <h1 id="page-title">{title}</h1>
          {intro && <p className="intro">{intro}</p>}
        </div>
        {actions && <div className="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function Card({ title, children, className, actions }: { title?: ReactNode; children: ReactNode; className?: string; actions?: ReactNode }) {
  return (
    <section className={`card ${className ?? ''}`}>
      {(title || actions) && (
        <header className="card-header">
          {title && <h2>{title}</h2>}
          {actions}
        </header>
      )}
      {children}
    </section>
  );
}

interface FieldProps {
  label: string;
  help?: ReactNode;
  error?: string;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}

/** A labelled control with its one-line explanation and, when refused, the reason right under it. */
export function Field({ label, help, error, children }: FieldProps) {
  const id = useId();
  const { language } = useI18n();
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {help && (
        <p className="help" id={`${id}-help`}>
          {help}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {localizeReason(error, language)}
        </p>
      )}
    </div>
  );
}

export function Button({
  children,
  onClick,
  kind = 'secondary',
  type = 'button',
  disabled,
  title,
}: {
  children: ReactNode;
  onClick?: () => void;
  kind?: 'primary' | 'secondary' | 'danger' | 'quiet';
  type?: 'button' | 'submit';
  disabled?: boolean;
  title?: string;
}) {
  return (
    <button type={type} className={`button ${kind}`} onClick={onClick} disabled={disabled} title={title}>
      {children}
    </button>
  );
}

export function StateBadge({ state, detail }: { state: ServiceState; detail?: string }) {
  const { t } = useI18n();
  const notHere = detail === 'not available in this version';
  const label = notHere ? t('state.notInVersion') : t(`state.${state}`);
  const tone = state === 'listening' ? 'good' : state === 'stopped' || state === 'disabled' ? 'neutral' : 'bad';
  return <span className={`badge ${tone}`}>{label}</span>;
}

/** Commands to copy: one block, a Copy button, and the text selectable by hand too. */
export function CopyBlock({ lines, label }: { lines: string[]; label?: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const text = lines.join('\n');
  const copy = () => {
    navigator.clipboard?.writeText(text).then(
      () => {
        setCopied(true);
        window.setTimeout(() => setCopied(false), 2000);
      },
      () => setCopied(false),
    );
  };
  return (
    <div className="copy-block">
      <pre aria-label={label} tabIndex={0}>
        {lines.map((line, i) => (
          <span key={i} className={/^(#|REM )/.test(line) ? 'comment' : undefined}>
            {line}
            {'\n'}
          </span>
        ))}
      </pre>
      <Button kind="quiet" onClick={copy}>
        {copied ? t('common.copied') : t('common.copy')}
      </Button>
    </div>
  );
}

export function Notice({ tone = 'info', children }: { tone?: 'info' | 'good' | 'warn' | 'bad'; children: ReactNode }) {
  return (
    <div className={`notice ${tone}`} role={tone === 'bad' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Loading({ error }: { error?: Error | null }) {
  const { t } = useI18n();
  // 401: LanPost restarted with a new token since this page was opened.
  if (error instanceof ApiError && error.status === 401) return <Notice tone="bad">{t('app.badToken')}</Notice>;
  if (error) return <Notice tone="bad">{t('common.loadFailed', { reason: error.message })}</Notice>;
  return <p className="loading">{t('common.loading')}</p>;
}

/** A table's header row; `actions` adds the (visually hidden) heading of a buttons column. */
export function TableHead({ columns, actions = false }: { columns: ReactNode[]; actions?: boolean }) {
  const { t } = useI18n();
  return (
    <thead>
      <tr>
        {columns.map((column, i) => (
          <th key={i}>{column}</th>
        ))}
        {actions && (
          <th>
            <span className="sr-only">{t('overview.actions')}</span>
          </th>
        )}
      </tr>
    </thead>
  );
}
