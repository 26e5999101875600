/**
 * How a proxied request or CONNECT tunnel is accounted for when it ends: one access-log line and
 * the matching metrics, the same way for both kinds.
 */
import type { RequestKind } from '../metrics.js';
import type { AccessLogEntry } from './access-log.js';
import type { ProxyContext } from './context.js';

/** What a handler learns about a request as it goes; unknown parts stay null. */
export interface RequestFacts {
  who: Pick<AccessLogEntry, 'device' | 'user'>;
  where: Pick<AccessLogEntry, 'host' | 'port'>;
  ruleId: string | null;
}

export function newFacts(): RequestFacts {
  return { who: { device: null, user: null }, where: { host: null, port: null }, ruleId: null };
}

export interface Ending {
  readonly method: string;
  readonly status: number;
  readonly bytesUp: number;
  readonly bytesDown: number;
  /** Why the request was refused or failed; undefined when it went through. */
  readonly code: string | undefined;
}

/**
 * How the access log and metrics count a request that ended with `code` (undefined: it went
 * through). An unreachable or silent origin is an allowed request that failed, not a block.
 */
export function refusalAction(code: string | undefined): 'allow' | 'block' {
  return code === undefined || code === 'UPSTREAM_UNREACHABLE' || code === 'UPSTREAM_TIMEOUT' ? 'allow' : 'block';
}

/** `started`: when the request arrived, epoch ms. */
export function recordOutcome(ctx: ProxyContext, kind: RequestKind, started: number, facts: RequestFacts, ending: Ending): void {
  const { method, status, bytesUp, bytesDown, code } = ending;
  const action = refusalAction(code);
  const durationMs = ctx.now() - started;
  ctx.accessLog({
    time: new Date(started).toISOString(),
    ...facts.who,
    method,
    ...facts.where,
    status,
    bytesUp,
    bytesDown,
    durationMs,
    action,
    ruleId: facts.ruleId,
    ...(code === undefined ? {} : { code }),
  });
  ctx.metrics.request(kind, action, status, durationMs / 1000);
  ctx.metrics.bytes('up', bytesUp);
  ctx.metrics.bytes('down', bytesDown);
  if (action === 'block' && code !== undefined) ctx.metrics.block(code);
}
