/** What the local proxy's forwarders share: set up once by local-proxy.ts. */
import type { Upstreams } from './upstreams.js';

export interface LocalProxyLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface ForwardContext {
  /** The device's edge token, or null before sign-in. */
  readonly token: () => string | null;
  readonly upstreams: Upstreams;
  readonly logger: LocalProxyLogger;
  /** A proxy's answer to CONNECT must arrive within this. */
  readonly headTimeoutMs: number;
}
