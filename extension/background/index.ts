/**
 * Composition root of the service worker. Everything here is rebuilt on every wake (MV3 may stop the
 * worker at any time): the host connection starts afresh and the link state is persisted as it changes.
 * Listeners are registered synchronously at the top level so that events which wake the worker reach them.
 */
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { writeHostLink } from '../lib/connection-state.js';
import { HostConnection, type NativePort } from '../lib/host-connection.js';
import { PageMessage } from '../lib/messages.js';
import { applyBadge } from './badge.js';

export default defineBackground(() => {
  const connection = new HostConnection({
    connectNative: (name): NativePort => browser.runtime.connectNative(name),
    lastError: () => browser.runtime.lastError?.message,
    now: () => Date.now(),
    onLink: (link) => {
      void writeHostLink(link);
      void applyBadge(link);
    },
  });

  browser.runtime.onMessage.addListener((message: unknown) => {
    const parsed = PageMessage.safeParse(message);
    if (parsed.success && parsed.data.type === 'retry-now') connection.retryNow();
  });

  connection.start();
});
