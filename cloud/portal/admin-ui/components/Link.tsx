import type { ComponentChildren } from 'preact';
import { href, type Route } from '../routes.js';
import { navigate } from '../use-route.js';

/**
 * A real link (it opens in a new tab, shows its URL, works without the router) that navigates in
 * place on a plain click.
 */
export function Link({ to, children, class: className, current }: { to: Route; children: ComponentChildren; class?: string; current?: boolean }) {
  return (
    <a
      href={href(to)}
      class={className}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
