/** What a page shows while its data loads, when loading failed, and when there is nothing yet. */
import type { ComponentChildren } from 'preact';
import { Icon } from './Icon.js';

export function Loading({ what }: { what: string }) {
  return (
    <div class="state state-loading" role="status">
      <span class="spinner" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}

export function ErrorPanel({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  return (
    <div class="state state-error" role="alert">
      <Icon name="alert" />
      <div>
        <p class="state-title">Could not load this page</p>
        <p>{error.message}</p>
      </div>
      {onRetry && (
        <button type="button" class="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-empty">
      <p class="state-title">{title}</p>
      {children && <p>{children}</p>}
    </div>
  );
}
