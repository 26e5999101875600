import { t } from '../../lib/i18n.js';

export function Header() {
  return (
    <header class="brand">
      <svg class="brand-mark" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">
        <rect width="20" height="20" rx="5" fill="currentColor" />
        <path d="M6 15.5V10a4 4 0 0 1 8 0v5.5" fill="none" stroke="var(--accent-text)" stroke-width="2" stroke-linecap="round" />
      </svg>
      <h1>{t('extName')}</h1>
    </header>
  );
}
