/**
 * The toolbar icon's badge and title mirror the host link and protection, so the state shows
 * without opening the popup. Problems with the app come first (nothing else is known then); after
 * that the badge says what protection is doing, in the same words as the popup. Each state that
 * asks something different of the user looks different: paused for a captive portal (`||`, blue:
 * sign in to the network), failed open (`!`, orange: traffic goes direct), failed closed (`x`,
 * red: traffic is blocked).
 */
import { browser } from 'wxt/browser';
import type { HostLink } from '../lib/connection-state.js';
import { t } from '../lib/i18n.js';
import type { ProtectionView } from '../lib/popup-view.js';

interface BadgeLook {
  text: string;
  color: string;
  title: string;
}

const OK = '#1a7f37';
const WARN = '#9a6700';
const BAD = '#cf222e';
/** Paused for a captive portal: nothing is wrong, the user has a step to take. */
const ACTION = '#0969da';
/** Failed open: traffic goes direct, unprotected; louder than amber, short of the red of blocked. */
const EXPOSED = '#bc4c00';

export function badgeLook(link: HostLink, protection: ProtectionView): BadgeLook {
  switch (link.state) {
    case 'connecting':
      return { text: '…', color: WARN, title: t('badgeTitleConnecting') };
    case 'disconnected':
      return { text: '!', color: BAD, title: t('badgeTitleDisconnected', link.reason) };
    case 'connected':
      if (link.service?.state === 'down') return { text: '!', color: BAD, title: t('badgeTitleServiceDown', link.service.reason) };
      if (link.service === null) return { text: '…', color: WARN, title: t('badgeTitleConnecting') };
      return protectionLook(protection, t('badgeAppMode', link.service.status.version));
    case 'not-installed':
      return protectionLook(protection, t('badgeBrowserOnlyMode'));
  }
}

function protectionLook(protection: ProtectionView, mode: string): BadgeLook {
  const title = (state: string) => t('badgeTitleProtection', state, mode);
  switch (protection.look) {
    case 'protected':
      return { text: '', color: OK, title: title(t('protectionProtected')) };
    case 'off':
    case 'disabled':
      return { text: 'off', color: WARN, title: title(t(protection.title)) };
    case 'paused':
      return { text: '||', color: ACTION, title: title(t(protection.title)) };
    case 'fail-open':
      return { text: '!', color: EXPOSED, title: title(t(protection.title)) };
    case 'fail-closed':
      return { text: 'x', color: BAD, title: title(t(protection.title)) };
    case 'waiting':
    case 'unknown':
      return { text: '…', color: WARN, title: title(t(protection.title)) };
    case 'signed-out':
      return { text: '!', color: WARN, title: title(t('protectionSignedOut')) };
    case 'overridden':
      return { text: '!', color: BAD, title: title(t(protection.overridden ?? 'protectionOverridden')) };
  }
}

export async function applyBadge(look: BadgeLook): Promise<void> {
  await Promise.all([
    browser.action.setBadgeText({ text: look.text }),
    browser.action.setBadgeBackgroundColor({ color: look.color }),
    browser.action.setTitle({ title: look.title }),
  ]);
}
