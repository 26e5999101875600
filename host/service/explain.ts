/**
 * "Why does this URL go where it goes": the plan's reasons, then the PAC's answer for the URL (run
 * in the sandboxed evaluator) and which edge, if any, that answer names.
 */
import { WaygateError } from '../../protocol/errors.js';
import { cidrContains, parseCidr, parseIp } from '../../protocol/ip.js';
import type { Explanation, NetworkView } from '../../protocol/localapi.js';
import type { EffectiveConfig } from '../../protocol/policy.js';
import { proxyHostPort } from '../../core/pac-template.js';
import type { Plan, TunnelPlan } from '../../core/plan.js';
import { evaluatePac } from '../proxy/pac-evaluator.js';
import type { LocalProxy } from '../proxy/local-proxy.js';

export interface ExplainInputs {
  plan: Plan;
  config: EffectiveConfig | null;
  network: NetworkView;
  /** In local-proxy mode: the proxy that decides, asked so the answer is exactly what it would do. */
  localProxy?: Pick<LocalProxy, 'explain' | 'port'>;
}

export async function explain(rawUrl: string, { plan, config, network, localProxy }: ExplainInputs): Promise<Explanation> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new WaygateError('BAD_REQUEST', `"${rawUrl}" is not a URL; give one such as https://example.com/.`);
  }
  const base = { url: url.href, host: url.hostname, networkType: network.type, action: plan.internet };
  if (localProxy) return explainLocalProxy(url, base, plan.reasons, config, localProxy);
  if (plan.tunnel.mode === 'up') {
    const { route, reasons } = tunnelRoute(url.hostname, plan.tunnel);
    return { ...base, pacResult: null, route, reasons: [...plan.reasons, ...reasons] };
  }
  const pac = plan.browserProxy.mode === 'pac' ? plan.browserProxy.pacScript : plan.systemProxy.mode === 'pac' ? plan.systemProxy.pacScript : null;
  if (pac === null) {
    return { ...base, pacResult: null, route: { kind: 'direct' }, reasons: [...plan.reasons, 'No PAC is in force, so the request goes direct.'] };
  }
  const pacResult = await evaluatePac(pac, url.href);
  const first = pacResult.split(';')[0]?.trim() ?? '';
  const [kind = '', target = ''] = first.split(/\s+/);
  const reasons = [...plan.reasons, `The PAC answers "${pacResult}" for ${url.hostname}.`];
  if (kind.toUpperCase() === 'DIRECT' || first === '') {
    return { ...base, pacResult, route: { kind: 'direct' }, reasons: [...reasons, 'The first choice is DIRECT: the request does not go through an edge.'] };
  }
  const edge = config?.edges.find((candidate) => proxyHostPort(candidate.proxyUrl) === target);
  if (edge) return { ...base, pacResult, route: { kind: 'edge', edgeId: edge.id, proxy: first }, reasons: [...reasons, `${target} is edge ${edge.id} (${edge.region}).`] };
  return { ...base, pacResult, route: { kind: 'direct' }, reasons: [...reasons, `${target} is not one of the organisation's edges: the request goes to that proxy, not through Waygate.`] };
}

/**
 * In tunnel mode no PAC decides: packets go by route. An address in the profile's include/exclude
 * lists is judged here; a name is judged by the address it resolves to, which the explanation says.
 */
function tunnelRoute(host: string, tunnel: TunnelPlan): { route: Explanation['route']; reasons: string[] } {
  const through = { kind: 'edge' as const, edgeId: tunnel.edge.id, proxy: 'full-device tunnel' };
  const address = parseIp(host.replace(/^\[(.*)\]$/, '$1'));
  const inList = (list: readonly string[]) => address !== null && list.some((text) => {
    const cidr = parseCidr(text);
    return cidr.ok && cidrContains(cidr.cidr, address);
  });
  if (address === null) {
    const split = tunnel.exclude.length > 0 ? ` unless ${host} resolves into an excluded range (${tunnel.exclude.join(', ')})` : '';
    return { route: through, reasons: [`Every packet goes through the tunnel to edge ${tunnel.edge.id}${split}.`] };
  }
  if (address.version === 'ipv6') return { route: { kind: 'blocked' }, reasons: ['IPv6 is blocked while the tunnel is up: the tunnel carries IPv4 only.'] };
  if (inList(tunnel.exclude)) return { route: { kind: 'direct' }, reasons: [`${host} is in an excluded range: it goes direct, around the tunnel.`] };
  if (tunnel.include.length > 0 && !inList(tunnel.include)) return { route: { kind: 'direct' }, reasons: [`${host} is outside the tunnel's ranges (${tunnel.include.join(', ')}): it goes direct.`] };
  return { route: through, reasons: [`${host} goes through the tunnel to edge ${tunnel.edge.id}.`] };
}

/** The local proxy's own decision for the URL: its PAC answer, the order it would try, and why. */
async function explainLocalProxy(
  url: URL,
  base: Pick<Explanation, 'url' | 'host' | 'networkType' | 'action'>,
  planReasons: readonly string[],
  config: EffectiveConfig | null,
  localProxy: Pick<LocalProxy, 'explain' | 'port'>,
): Promise<Explanation> {
  const answer = await localProxy.explain(url.href);
  const reasons = [...planReasons, `The local proxy on 127.0.0.1:${localProxy.port} decides per request: ${answer.decision.reason}`];
  if (answer.decision.pacResult !== null) reasons.push(`The PAC answers "${answer.decision.pacResult}" for ${url.hostname}.`);
  for (const { route, why } of answer.skipped) reasons.push(`${route} is skipped: ${why}`);
  const first = answer.tryOrder[0];
  if (first === undefined) return { ...base, pacResult: answer.decision.pacResult, route: { kind: 'blocked' }, reasons: [...reasons, 'Nothing may carry it: the request is blocked.'] };
  if (first === 'DIRECT') return { ...base, pacResult: answer.decision.pacResult, route: { kind: 'direct' }, reasons: [...reasons, 'The first choice is DIRECT: the request does not go through an edge.'] };
  const target = first.split(/\s+/)[1] ?? '';
  const edge = config?.edges.find((candidate) => proxyHostPort(candidate.proxyUrl) === target);
  if (edge) return { ...base, pacResult: answer.decision.pacResult, route: { kind: 'edge', edgeId: edge.id, proxy: first }, reasons: [...reasons, `${target} is edge ${edge.id} (${edge.region}); the local proxy adds the device's token.`] };
  return { ...base, pacResult: answer.decision.pacResult, route: { kind: 'direct' }, reasons: [...reasons, `${target} is not one of the organisation's edges: the request goes to that proxy, not through Waygate.`] };
}
