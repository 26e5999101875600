/**
 * Which of the PAC's routes the local proxy will try, in which order, and why it leaves any out:
 * an answer naming this proxy itself (a `${LOCAL_PROXY}` template evaluated here) would loop, and a
 * plain `PROXY` off this machine would carry the device's edge token in clear text.
 */
import { formatRoute, type PacRoute } from './pac-answer.js';

import type { Upstreams } from './upstreams.js';

export interface RoutePlan {
  /** Live routes first, then those marked down (upstreams.ts). */
  readonly tryOrder: readonly PacRoute[];
  readonly skipped: readonly { readonly route: string; readonly why: string }[];
}

export function planRoutes(routes: readonly PacRoute[], selfPort: number, upstreams: Upstreams): RoutePlan {
  const usable: PacRoute[] = [];
  const skipped: { route: string; why: string }[] = [];
  for (const route of routes) {
    if (route.kind === 'proxy' && isLoopbackHost(route.host) && route.port === selfPort) {
      skipped.push({ route: formatRoute(route), why: 'it names this local proxy' });
    } else if (route.kind === 'proxy' && !route.tls && !isLoopbackHost(route.host)) {
      skipped.push({ route: formatRoute(route), why: 'a plain PROXY is used only on loopback (the edge token must not cross the network in clear text); use HTTPS' });
    } else {
      usable.push(route);
    }
  }
  return { tryOrder: upstreams.order(usable), skipped };
}

const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|::1)$/i;

function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}
