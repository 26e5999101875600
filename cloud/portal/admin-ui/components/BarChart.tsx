/**
 * Horizontal bars, one row per category: the shape for "how many of each" when categories have
 * long names (OS versions, models). Labels sit left of the track, values at the bar's end.
 */
import { barLengths, describeData } from '../chart-scale.js';
import { seriesClass, type ChartDatum } from './chart-colors.js';

const WIDTH = 520;
const LABEL_W = 168;
const VALUE_W = 52;
const ROW_H = 30;
const BAR_H = 14;
const TRACK_W = WIDTH - LABEL_W - VALUE_W;
const MAX_LABEL_CHARS = 22;

export function BarChart({ title, data, unit }: { title: string; data: readonly ChartDatum[]; unit: string }) {
  const lengths = barLengths(
    data.map((d) => d.value),
    TRACK_W,
  );
  const height = data.length * ROW_H;
  return (
    <svg class="chart bar-chart" viewBox={`0 0 ${WIDTH} ${height}`} width="100%" role="img" aria-label={`${title}: ${describeData(data, unit)}`}>
      {data.map((d, i) => {
        const y = i * ROW_H;
        const label = d.label.length > MAX_LABEL_CHARS ? `${d.label.slice(0, MAX_LABEL_CHARS - 1)}…` : d.label;
        return (
          <g key={d.label} transform={`translate(0 ${y})`}>
            <title>{`${d.label}: ${d.value.toLocaleString('en')} ${unit}`}</title>
            <text class="chart-label" x={LABEL_W - 12} y={ROW_H / 2} text-anchor="end" dominant-baseline="central">
              {label}
            </text>
            <rect class="bar-track" x={LABEL_W} y={(ROW_H - BAR_H) / 2} width={TRACK_W} height={BAR_H} rx={BAR_H / 2} />
            <rect class={`bar ${seriesClass(d, i)}`} x={LABEL_W} y={(ROW_H - BAR_H) / 2} width={lengths[i] ?? 0} height={BAR_H} rx={BAR_H / 2} />
            <text class="chart-value" x={WIDTH - 4} y={ROW_H / 2} text-anchor="end" dominant-baseline="central">
              {d.value.toLocaleString('en')}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
