/** What the request and tunnel handlers share; built once by `createForwardProxy`. */
import type { AccessLog } from './access-log.js';
import type { VerifyToken } from './authenticate.js';
import type { DestinationPolicy } from './dial.js';

/** The part of a pino logger the proxy uses. */
export interface ProxyLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface ProxyContext {
  readonly verify: VerifyToken;
  readonly policy: DestinationPolicy;
  readonly accessLog: AccessLog;
  readonly logger: ProxyLogger;
  readonly connectTimeoutMs: number;
  /** Epoch milliseconds. */
  readonly now: () => number;
}
