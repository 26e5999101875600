/**
 * A ring of shares with the total in its middle and a legend beside it: the shape for "parts of
 * all devices" when there are few parts (platforms, up to date vs outdated).
 */
import { describeData, donutArcs } from '../chart-scale.js';
import { percent } from '../format.js';
import { seriesClass, type ChartDatum } from './chart-colors.js';

const SIZE = 160;
const RING = { cx: SIZE / 2, cy: SIZE / 2, outer: SIZE / 2 - 2, inner: SIZE / 2 - 24 };

export function DonutChart({ title, data, unit, centerLabel }: { title: string; data: readonly ChartDatum[]; unit: string; centerLabel?: string }) {
  const arcs = donutArcs(data, RING);
  const total = data.reduce((sum, d) => sum + d.value, 0);
  return (
    <div class="donut">
      <svg class="chart donut-chart" viewBox={`0 0 ${SIZE} ${SIZE}`} width={SIZE} height={SIZE} role="img" aria-label={`${title}: ${describeData(data, unit)}`}>
        <circle class="donut-track" cx={RING.cx} cy={RING.cy} r={(RING.outer + RING.inner) / 2} stroke-width={RING.outer - RING.inner} />
        {arcs.map((arc) => {
          const i = data.findIndex((d) => d.label === arc.label);
          const datum = data[i];
          return (
            <path key={arc.label} class={`slice ${datum ? seriesClass(datum, i) : ''}`} d={arc.path}>
              <title>{`${arc.label}: ${arc.value.toLocaleString('en')} ${unit}`}</title>
            </path>
          );
        })}
        <text class="donut-total" x={RING.cx} y={RING.cy - 6} text-anchor="middle" dominant-baseline="central">
          {total.toLocaleString('en')}
        </text>
        <text class="donut-caption" x={RING.cx} y={RING.cy + 16} text-anchor="middle" dominant-baseline="central">
          {centerLabel ?? unit}
        </text>
      </svg>
      <ul class="legend" aria-hidden="true">
        {data.map((d, i) => (
          <li key={d.label}>
            <svg class="swatch" width="10" height="10" viewBox="0 0 10 10">
              <rect class={seriesClass(d, i)} width="10" height="10" rx="3" />
            </svg>
            <span class="legend-label">{d.label}</span>
            <span class="legend-value">{d.value.toLocaleString('en')}</span>
            <span class="legend-share">{percent(d.value, total)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
