// Transcript lines as the Protocol inspector and the message path show them: time, direction,
// text, the TLS upgrade marked, and — explained — what each line means with its RFC section.
// The toggles for raw/explained and projector mode go in the page's actions.
import type { TranscriptLine } from '../../../server/admin/contract/index.js';
import { isMessageKey, useI18n } from '../i18n/index.js';
import { explain } from '../logic/annotations.js';
import { formatTime } from '../logic/format.js';
import { useViewOptions } from '../view-options.js';
import { Button } from './ui.js';

export function TranscriptLines({ lines, highlighted }: { lines: TranscriptLine[]; highlighted?: ReadonlySet<number> }) {
  const { explained } = useViewOptions();
  return (
    <ol className="lines">
      {lines.map((line) => (
        <Line key={line.id} line={line} explained={explained} highlighted={highlighted?.has(line.id) ?? false} />
      ))}
    </ol>
  );
}

function Line({ line, explained, highlighted }: { line: TranscriptLine; explained: boolean; highlighted: boolean }) {
  const { t, language } = useI18n();
  const notes = explained ? explain(line).filter((note) => isMessageKey(note.key)) : [];
  const isTls = line.direction === '*' && /TLS/.test(line.text);
  const kind = line.direction === 'C' ? 'client' : line.direction === 'S' ? 'server' : 'event';
  return (
    <li className={`line ${kind}${isTls ? ' tls' : ''}${highlighted ? ' highlighted' : ''}`} data-line={line.id}>
      <span className="time">{formatTime(line.time, language)}</span>
      <span className="dir">{line.direction === '*' ? (isTls ? <span className="tls-mark">TLS</span> : '•') : `${line.direction}:`}</span>
      <span className="text">{line.text}</span>
      {notes.map((note) => (
        <span className="note" key={note.key}>
          {isMessageKey(note.key) && t(note.key)} <span className="rfc">{note.rfc}</span>
        </span>
      ))}
    </li>
  );
}

/** The two classroom toggles: raw or explained lines, projector mode. */
export function ViewToggles() {
  const { t } = useI18n();
  const { projector, setProjector, explained, setExplained } = useViewOptions();
  return (
    <>
      <Button onClick={() => setExplained(!explained)}>{explained ? t('view.raw') : t('view.explained')}</Button>
      <Button onClick={() => setProjector(!projector)}>{projector ? t('view.projectorOff') : t('view.projectorOn')}</Button>
    </>
  );
}
