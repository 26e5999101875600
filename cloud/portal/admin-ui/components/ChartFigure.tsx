/**
 * A chart with its words: a title, the picture (role="img", named by the data it shows) and the same
 * data as a table one click away, for people who would rather read, copy or use a screen reader.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { percent } from '../format.js';
import type { ChartDatum } from './chart-colors.js';

export function ChartFigure({
  title,
  data,
  unit,
  children,
  footer,
  testId,
}: {
  title: string;
  data: readonly ChartDatum[];
  /** What the values count, plural: "devices". */
  unit: string;
  children: ComponentChildren;
  footer?: ComponentChildren;
  testId?: string;
}) {
  const [asTable, setAsTable] = useState(false);
  const total = data.reduce((sum, d) => sum + d.value, 0);
  return (
    <figure class="card chart-card" data-testid={testId}>
      <div class="card-head">
        <figcaption class="card-title">{title}</figcaption>
        <button type="button" class="toggle" aria-pressed={asTable} onClick={() => setAsTable(!asTable)}>
          {asTable ? 'Chart' : 'Table'}
        </button>
      </div>
      {data.length === 0 ? (
        <p class="chart-empty">No {unit} to show yet.</p>
      ) : asTable ? (
        <table class="data-table compact">
          <thead>
            <tr>
              <th scope="col">{title}</th>
              <th scope="col" class="num">
                {unit[0]?.toUpperCase()}
                {unit.slice(1)}
              </th>
              <th scope="col" class="num">Share</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.label}>
                <th scope="row">{d.label}</th>
                <td class="num">{d.value.toLocaleString('en')}</td>
                <td class="num">{percent(d.value, total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        children
      )}
      {footer}
    </figure>
  );
}
