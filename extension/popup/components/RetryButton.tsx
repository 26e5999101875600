import { browser } from 'wxt/browser';
import { t, type MessageKey } from '../../lib/i18n.js';
import type { PageMessage } from '../../lib/messages.js';

const RETRY_NOW: PageMessage = { type: 'retry-now' };

function retryNow(): void {
  // The outcome arrives through the watched HostLink. If the worker cannot be reached, there is
  // nothing better to offer: it retries on its own schedule, which the popup keeps showing.
  browser.runtime.sendMessage(RETRY_NOW).catch(() => undefined);
}

export function RetryButton({ label }: { label: MessageKey }) {
  return (
    <button type="button" class="button" data-testid="retry-now" onClick={retryNow}>
      {t(label)}
    </button>
  );
}
