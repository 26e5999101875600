import { browser } from 'wxt/browser';
import { clockTime } from '../../lib/clock-time.js';
import { t } from '../../lib/i18n.js';
import type { CaptivePortalPanel } from '../../lib/popup-view.js';

/**
 * A captive portal (hotel, café Wi-Fi) is in the way: when protection resumes and a way to its
 * sign-in page. The worker opens that page once by itself; this link brings it back.
 */
export function CaptivePortal({ portal }: { portal: CaptivePortalPanel }) {
  const time = portal.resumesAt === null ? null : clockTime(portal.resumesAt, browser.i18n.getUILanguage());
  const { loginUrl } = portal;
  const open = (event: Event) => {
    event.preventDefault();
    if (loginUrl !== null) void browser.tabs.create({ url: loginUrl });
  };
  return (
    <div class="captive" data-testid="captive-portal">
      <p data-testid="captive-resumes">{time === null ? t('captivePortalResumesSoon') : t('captivePortalResumesAt', time)}</p>
      {portal.detail !== null && <p class="muted">{portal.detail}</p>}
      {loginUrl !== null && (
        <a class="button captive-open" href={loginUrl} target="_blank" rel="noreferrer" data-testid="captive-open" onClick={open}>
          {t('captivePortalOpen')}
        </a>
      )}
    </div>
  );
}
