/**
 * The only way the edge opens a connection to a destination: resolve once, let the policy and the
 * SSRF guard judge every address the resolver returned, then connect to one of exactly those addresses. Nothing here
 * resolves twice, so a DNS answer that changes between check and connect (rebinding) cannot move the
 * connection somewhere the guard did not see.
 */
import { lookup } from 'node:dns/promises';
import { connect, type Socket } from 'node:net';
import type { Person } from '../../access/people.js';
import { formatIp } from '../../../protocol/ip.js';
import { parseHostLiteral } from '../destination/ip-literal.js';
import { decideByName, decideDestination, type DestinationDecision, type DestinationRequest, type DestinationRules } from '../policy/decide-destination.js';
import type { ProxyContext } from './context.js';
import type { Refusal } from './refusal.js';

/** Every address a name stands for, as text. Injected so tests (and policy) decide what names mean. */
export type Resolve = (host: string) => Promise<readonly string[]>;

export const systemResolve: Resolve = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

export type Checked =
  | { readonly ok: true; readonly addresses: readonly string[]; readonly ruleId: string | null }
  | {
      readonly ok: false;
      readonly status: 403 | 502 | 503;
      readonly code: 'ACCESS_BLOCKED' | 'DESTINATION_FORBIDDEN' | 'UPSTREAM_UNREACHABLE' | 'EDGE_NOT_READY';
      readonly ruleId: string | null;
      readonly reason: string;
    };

/** The answer to a request whose destination was refused: the reason, and the rule when one decided. */
export function destinationRefusal(checked: Extract<Checked, { ok: false }>): Refusal {
  return { status: checked.status, code: checked.code, message: checked.reason, ...(checked.ruleId === null ? {} : { details: { ruleId: checked.ruleId } }) };
}

/**
 * Resolves `host` (unless it is an IP literal) and asks the edge's one verdict about every address;
 * the addresses returned are the only ones the caller may connect to.
 */
export async function checkDestination(host: string, port: number, who: Person, ctx: Pick<ProxyContext, 'resolve' | 'rules'>): Promise<Checked> {
  const rules = ctx.rules();
  if (rules === null) {
    return { ok: false, status: 503, code: 'EDGE_NOT_READY', ruleId: null, reason: 'This edge has not received its policy from the portal yet, so it forwards nothing. Try again shortly.' };
  }
  const literal = parseHostLiteral(host);
  let addresses: readonly string[];
  if (literal.kind === 'ip') {
    addresses = [literal.zone === undefined ? formatIp(literal.address) : `${formatIp(literal.address)}%${literal.zone}`];
  } else if (literal.kind === 'name') {
    const byName = decideByName(rules, who, literal.name, port);
    if (byName !== null && !byName.allowed) return { ok: false, status: 403, code: byName.code, ruleId: byName.ruleId, reason: byName.reason };
    try {
      addresses = await ctx.resolve(literal.name);
    } catch {
      return { ok: false, status: 502, code: 'UPSTREAM_UNREACHABLE', ruleId: null, reason: `The edge could not resolve "${host}". Check the name.` };
    }
  } else {
    return { ok: false, status: 403, code: 'DESTINATION_FORBIDDEN', ruleId: null, reason: `${literal.reason} Check the address you asked for.` };
  }
  const decision = cachedDecision(rules, { who, host, port, addresses });
  if (!decision.allowed) return { ok: false, status: 403, code: decision.code, ruleId: decision.ruleId, reason: decision.reason };
  return { ok: true, addresses: decision.addresses, ruleId: decision.ruleId };
}

/**
 * Verdicts per rules object, for the requests a browser repeats (same person, host, port and
 * addresses): judging runs the access rules and parses CIDRs, which would otherwise cost as much as
 * forwarding a small request. A new policy is a new rules object, so its verdicts start afresh.
 */
const verdicts = new WeakMap<DestinationRules, Map<string, DestinationDecision>>();
const MAX_VERDICTS = 10_000;

function cachedDecision(rules: DestinationRules, request: DestinationRequest): DestinationDecision {
  let cache = verdicts.get(rules);
  if (cache === undefined) {
    cache = new Map();
    verdicts.set(rules, cache);
  }
  const key = `${request.who.userEmail}\n${request.who.groups.join(',')}\n${request.host}\n${request.port}\n${request.addresses.join(',')}`;
  let decision = cache.get(key);
  if (decision === undefined) {
    decision = decideDestination(rules, request);
    if (cache.size >= MAX_VERDICTS) cache.clear();
    cache.set(key, decision);
  }
  return decision;
}

/** Connects to the first checked address that answers, in resolver order. */
export async function dialChecked(addresses: readonly string[], port: number, timeoutMs: number): Promise<Socket> {
  let last: Error = new Error('no address to connect to');
  for (const address of addresses) {
    try {
      return await connectOnce(address, port, timeoutMs);
    } catch (err) {
      last = err instanceof Error ? err : new Error(String(err));
    }
  }
  throw last;
}

function connectOnce(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // An IP address as `host` means node:net does not consult the resolver.
    const socket = connect({ host, port, timeout: timeoutMs });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
    socket.once('timeout', () => fail(new Error(`timed out after ${timeoutMs} ms`)));
    socket.once('connect', () => {
      socket.off('error', fail);
      socket.setTimeout(0);
      resolve(socket);
    });
  });
}
