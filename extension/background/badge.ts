/** The toolbar icon's badge and title mirror the host link, so the state shows without opening the popup. */
import { browser } from 'wxt/browser';
import type { HostLink } from '../lib/connection-state.js';
import { t } from '../lib/i18n.js';

interface BadgeLook {
  text: string;
  color: string;
  title: string;
}

const OK = '#1a7f37';
const WARN = '#9a6700';
const BAD = '#cf222e';

export function badgeLook(link: HostLink): BadgeLook {
  switch (link.state) {
    case 'connecting':
      return { text: '…', color: WARN, title: t('badgeTitleConnecting') };
    case 'not-installed':
      return { text: '!', color: BAD, title: t('badgeTitleNotInstalled') };
    case 'disconnected':
      return { text: '!', color: BAD, title: t('badgeTitleDisconnected', link.reason) };
    case 'connected':
      if (link.service?.state === 'down') return { text: '!', color: BAD, title: t('badgeTitleServiceDown', link.service.reason) };
      if (link.service === null) return { text: '…', color: WARN, title: t('badgeTitleConnecting') };
      return { text: '', color: OK, title: t('badgeTitleConnected', link.service.status.version) };
  }
}

export async function applyBadge(link: HostLink): Promise<void> {
  const look = badgeLook(link);
  await Promise.all([
    browser.action.setBadgeText({ text: look.text }),
    browser.action.setBadgeBackgroundColor({ color: look.color }),
    browser.action.setTitle({ title: look.title }),
  ]);
}
