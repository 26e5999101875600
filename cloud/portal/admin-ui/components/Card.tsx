import type { ComponentChildren } from 'preact';

/**
 * A titled card: the heading names the section for assistive technology (aria-labelledby), so the
 * id is given once here rather than kept in step by hand. `aside` sits at the heading's right.
 */
export function Card({ titleId, title, class: extra, testId, aside, children }: { titleId: string; title: ComponentChildren; class?: string; testId?: string; aside?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section class={extra ? `card ${extra}` : 'card'} aria-labelledby={titleId} data-testid={testId}>
      <div class="card-head">
        <h2 class="card-title" id={titleId}>
          {title}
        </h2>
        {aside}
      </div>
      {children}
    </section>
  );
}
