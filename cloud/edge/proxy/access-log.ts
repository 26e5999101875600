/** One line of the edge's access log: one per proxied request or CONNECT tunnel, allowed or not. */
export interface AccessLogEntry {
  /** When the request arrived, ISO 8601. */
  readonly time: string;
  /** The device id (the token's `sub`); null when the request did not authenticate. */
  readonly device: string | null;
  readonly user: string | null;
  readonly method: string;
  /** The destination host as the request named it; null when the request target was unreadable. */
  readonly host: string | null;
  readonly port: number | null;
  /** The status the client got: 200 for an established tunnel. */
  readonly status: number;
  /** Body bytes from the client to the destination (tunnel: all bytes). */
  readonly bytesUp: number;
  /** Body bytes from the destination to the client (tunnel: all bytes). */
  readonly bytesDown: number;
  readonly durationMs: number;
  readonly action: 'allow' | 'block';
  /** The access rule that decided; null when the default action did or no rule was consulted. */
  readonly ruleId: string | null;
  /** Why the request was blocked or failed: a stable code. */
  readonly code?: string;
}

export type AccessLog = (entry: AccessLogEntry) => void;
