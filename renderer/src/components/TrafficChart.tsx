// Messages in and out per hour, last 24 hours: a small bar chart in SVG, with a text summary
// for screen readers and a table-like title on every bar.
import type { TrafficHour } from '../../../server/admin/contract/index.js';
import { useI18n } from '../i18n/index.js';
import { chartMaximum } from '../logic/format.js';

const WIDTH = 720;
const HEIGHT = 160;
const LEFT = 32;
const BOTTOM = 22;

export function TrafficChart({ hours }: { hours: TrafficHour[] }) {
  const { t, language } = useI18n();
  const max = chartMaximum(hours.flatMap((h) => [h.in, h.out]));
  const slot = (WIDTH - LEFT) / Math.max(hours.length, 1);
  const bar = Math.max(2, slot / 2 - 2);
  const y = (value: number) => HEIGHT - BOTTOM - (value / max) * (HEIGHT - BOTTOM - 8);
  const totalIn = hours.reduce((s, h) => s + h.in, 0);
  const totalOut = hours.reduce((s, h) => s + h.out, 0);
  const hourLabel = (ms: number) => new Date(ms).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' });
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={t('overview.chartSummary', { in: totalIn, out: totalOut })}>
        {(max % 2 ? [0, max] : [0, max / 2, max]).map((v) => (
          <g key={v}>
            <line x1={LEFT} x2={WIDTH} y1={y(v)} y2={y(v)} className="grid" />
            <text x={LEFT - 6} y={y(v) + 4} textAnchor="end" className="axis">
              {v}
            </text>
          </g>
        ))}
        {hours.map((h, i) => {
          const x = LEFT + i * slot + 2;
          return (
            <g key={h.hour}>
              <title>{t('overview.chartBar', { hour: hourLabel(h.hour), in: h.in, out: h.out })}</title>
              <rect x={x} y={y(h.in)} width={bar} height={HEIGHT - BOTTOM - y(h.in)} className="bar-in" />
              <rect x={x + bar + 1} y={y(h.out)} width={bar} height={HEIGHT - BOTTOM - y(h.out)} className="bar-out" />
              {i % 6 === 0 && (
                <text x={x} y={HEIGHT - 6} className="axis">
                  {hourLabel(h.hour)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span className="key in" /> {t('overview.in')} ({totalIn}) <span className="key out" /> {t('overview.out')} ({totalOut})
      </figcaption>
    </figure>
  );
}
