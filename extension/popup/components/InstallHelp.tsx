import { t } from '../../lib/i18n.js';

/** What to do when the browser finds no Waygate app: install it, or register an installed one. */
export function InstallHelp() {
  return (
    <div class="install-help">
      <p>{t('installHelp')}</p>
      <p>{t('installCommandHelp')}</p>
      <pre class="command">
        <code>waygate install</code>
      </pre>
    </div>
  );
}
