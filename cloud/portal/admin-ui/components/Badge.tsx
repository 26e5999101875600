import type { ComponentChildren } from 'preact';

export type BadgeTone = 'ok' | 'warn' | 'bad' | 'neutral' | 'info';

/** A status in a pill: colour for scanning, the word for reading (never colour alone). */
export function Badge({ tone, children }: { tone: BadgeTone; children: ComponentChildren }) {
  return (
    <span class={`badge badge-${tone}`}>
      <span class="badge-dot" aria-hidden="true" />
      {children}
    </span>
  );
}
