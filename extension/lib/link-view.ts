/**
 * What the popup shows for a `HostLink`, decided without touching the DOM or the browser so that
 * every state is covered by unit tests and the components only render.
 */
import type { ServiceMode, ServiceState } from '../../protocol/localapi.js';
import type { HostLink } from './connection-state.js';
import type { MessageKey } from './i18n.js';

/** How the status reads at a glance; the indicator colour follows it, the heading always says it in words. */
export type Tone = 'ok' | 'pending' | 'attention' | 'error';

/** A message to translate and the values for its placeholders. */
export interface Message {
  readonly key: MessageKey;
  readonly subs: readonly string[];
}

/** One row of the facts list: a translated label and a value that is translated or shown verbatim. */
export interface Fact {
  readonly id: 'service-version' | 'service-mode' | 'service-state';
  readonly label: MessageKey;
  readonly value: { readonly key: MessageKey } | { readonly verbatim: string };
}

export interface LinkView {
  readonly state: HostLink['state'];
  /** The native host's link to the service; `none` when there is no host link or no report yet. */
  readonly service: 'up' | 'down' | 'none';
  readonly tone: Tone;
  readonly title: MessageKey;
  readonly facts: readonly Fact[];
  /** Words from the browser or the host explaining the state, shown as they came (not translated). */
  readonly reason: string | null;
  /** Show how to install the Waygate app. */
  readonly installHelp: boolean;
  /** When the next attempt happens, if one is scheduled. */
  readonly retry: Message | null;
  /** Whether `retry` counts down, so the caller must re-derive the view every second. */
  readonly countingDown: boolean;
  /** Label of the button that asks the worker to retry at once; null when there is nothing to retry. */
  readonly retryNow: MessageKey | null;
}

const MODE: Record<ServiceMode, MessageKey> = { system: 'modeSystem', user: 'modeUser' };
const SERVICE_STATE: Record<ServiceState, MessageKey> = {
  starting: 'serviceStarting',
  running: 'serviceRunning',
  stopping: 'serviceStopping',
};

const BLANK: Omit<LinkView, 'state' | 'tone' | 'title'> = {
  service: 'none',
  facts: [],
  reason: null,
  installHelp: false,
  retry: null,
  countingDown: false,
  retryNow: null,
};

/** The view of `link` at time `now` (epoch ms; only the countdown depends on it). */
export function linkView(link: HostLink, now: number): LinkView {
  switch (link.state) {
    case 'connecting':
      return { ...BLANK, state: link.state, tone: 'pending', title: 'statusConnecting' };
    case 'connected': {
      const service = link.service;
      if (service === null) {
        return { ...BLANK, state: link.state, tone: 'pending', title: 'statusWaitingForService' };
      }
      if (service.state === 'down') {
        return {
          ...BLANK,
          state: link.state,
          service: 'down',
          tone: 'error',
          title: 'statusServiceDown',
          reason: service.reason,
          retry: { key: 'retrying', subs: [] },
        };
      }
      const { status } = service;
      return {
        ...BLANK,
        state: link.state,
        service: 'up',
        tone: status.state === 'running' ? 'ok' : 'pending',
        title: 'statusConnected',
        facts: [
          { id: 'service-version', label: 'factVersion', value: { verbatim: status.version } },
          { id: 'service-mode', label: 'factMode', value: { key: MODE[status.mode] } },
          { id: 'service-state', label: 'factServiceState', value: { key: SERVICE_STATE[status.state] } },
        ],
      };
    }
    case 'not-installed':
      return {
        ...BLANK,
        state: link.state,
        tone: 'attention',
        title: 'statusNotInstalled',
        reason: link.reason,
        installHelp: true,
        retryNow: 'checkAgain',
      };
    case 'disconnected': {
      const seconds = Math.ceil((link.retryAt - now) / 1000);
      return {
        ...BLANK,
        state: link.state,
        tone: 'error',
        title: 'statusDisconnected',
        reason: link.reason,
        retry: seconds > 0 ? { key: 'retryingIn', subs: [String(seconds)] } : { key: 'retrying', subs: [] },
        countingDown: seconds > 0,
        retryNow: 'retryNow',
      };
    }
  }
}
