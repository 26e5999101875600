/** What the request and tunnel handlers share; built once by `createForwardProxy`. */
import type { EdgeMetrics } from '../metrics.js';
import type { DestinationRules } from '../policy/decide-destination.js';
import type { AccessLog } from './access-log.js';
import type { VerifyToken } from './authenticate.js';
import type { DeviceConnections } from './device-connections.js';
import type { Resolve } from './dial.js';
import type { CheckedAddressAgent } from './upstream-agent.js';

/** The part of a pino logger the proxy uses. */
export interface ProxyLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface ProxyContext {
  readonly verify: VerifyToken;
  readonly resolve: Resolve;
  /** The rules in force; null until the edge has a policy (it then refuses: fail-closed). */
  readonly rules: () => DestinationRules | null;
  readonly accessLog: AccessLog;
  readonly logger: ProxyLogger;
  readonly metrics: EdgeMetrics;
  readonly connections: DeviceConnections;
  /** Keep-alive connections to origins, per checked address set. */
  readonly agent: CheckedAddressAgent;
  readonly connectTimeoutMs: number;
  /** How long an origin may stay silent (headers or body) before the request fails with 504. */
  readonly upstreamIdleTimeoutMs: number;
  /** Epoch milliseconds. */
  readonly now: () => number;
}
