import type { ComponentChildren } from 'preact';

/** One headline figure on the dashboard: what it counts, the number, and a line of context. */
export function StatTile({ label, value, of, foot, footTone, meter, testId }: { label: string; value: number; of?: number; foot?: ComponentChildren; footTone?: 'ok' | 'warn'; meter?: number; testId?: string }) {
  return (
    <section class="card stat" aria-label={label} data-testid={testId}>
      <p class="stat-label">{label}</p>
      <p class="stat-value">
        {value.toLocaleString('en')}
        {of !== undefined && <span class="stat-of"> / {of.toLocaleString('en')}</span>}
      </p>
      {meter !== undefined && <Meter fraction={meter} />}
      {foot && <p class={`stat-foot${footTone ? ` ${footTone}` : ''}`}>{foot}</p>}
    </section>
  );
}

/** A thin bar for a share (0..1); the figure next to it carries the number. */
export function Meter({ fraction }: { fraction: number }) {
  const pct = Math.max(0, Math.min(1, fraction)) * 100;
  return (
    <svg class="meter-svg" viewBox="0 0 100 6" preserveAspectRatio="none" width="100%" height="6" aria-hidden="true">
      <rect class="meter-track" x="0" y="0" width="100" height="6" rx="3" />
      {pct > 0 && <rect class="meter-bar" x="0" y="0" width={Math.max(pct, 3)} height="6" rx="3" />}
    </svg>
  );
}
