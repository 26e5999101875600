import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';

/**
 * A page's title and its main actions. The heading takes focus when the page opens (tabIndex -1),
 * so after a navigation keyboard and screen-reader users start at the new page, not in the sidebar.
 */
export function PageHeader({ title, description, actions, back }: { title: string; description?: ComponentChildren; actions?: ComponentChildren; back?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · Waygate admin`;
  }, [title]);
  return (
    <header class="page-header">
      {back && <div class="page-back">{back}</div>}
      <div class="page-header-row">
        <div class="page-heading">
          <h1 tabIndex={-1} id="page-title">
            {title}
          </h1>
          {description && <p class="page-description">{description}</p>}
        </div>
        {actions && <div class="page-actions">{actions}</div>}
      </div>
    </header>
  );
}
