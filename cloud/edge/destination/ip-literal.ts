/**
 * Whether a destination host (a URL host or a CONNECT authority's host) is an IP address in
 * disguise. A forward proxy that only recognised dotted quads would pass `0x7f000001`, `2130706433`,
 * `0177.1` or `127.1` to the resolver as a "name", and the resolver (inet_aton) or the browser that
 * built the request would read it as 127.0.0.1. So the IPv4 rules here are the WHATWG URL host
 * parser's (https://url.spec.whatwg.org/#concept-ipv4-parser), which accept every notation inet_aton
 * does; dotted quads and IPv6 text are then read by protocol/ip.ts, the parser the policy uses.
 *
 * A host that ends in a number but is no valid IPv4 address (`1.2.3.256`, `foo.0x10`) is `invalid`,
 * not a name: browsers refuse such URLs, and sending it to a resolver would let the resolver decide.
 */
import { parseIPv6, type IpAddress } from '../../../protocol/ip.js';

export type HostLiteral =
  | { readonly kind: 'ip'; readonly address: IpAddress; /** IPv6 zone, as in `[fe80::1%25eth0]`. */ readonly zone?: string }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/** WHATWG forbidden domain code points, besides C0 controls, space and DEL. */
const FORBIDDEN_DELIMITERS = '#%/:<>?@[\\]^|';
/** Full stops that IDNA (UTS #46) maps to ".". */
const IDEOGRAPHIC_FULL_STOPS = /[\u3002\uff0e\uff61]/gu;
const ZONE = /^[A-Za-z0-9._~-]+$/;

export function parseHostLiteral(host: string): HostLiteral {
  if (host === '') return { kind: 'invalid', reason: 'The destination host is empty.' };
  if (host.startsWith('[') || host.includes(':')) return parseIPv6Host(host);
  const decoded = percentDecode(host);
  if (decoded === null) return { kind: 'invalid', reason: `"${host}" has percent-escapes that are not UTF-8.` };
  // The URL parser maps full-width digits and ideographic dots before it looks for a number.
  const mapped = decoded.normalize('NFKC').replace(IDEOGRAPHIC_FULL_STOPS, '.').toLowerCase();
  if (hasForbiddenDomainCodePoint(mapped)) return { kind: 'invalid', reason: `"${host}" has characters that no host name has.` };
  if (!endsInNumber(mapped)) return { kind: 'name', name: mapped };
  const value = parseWhatwgIPv4(mapped);
  if (value === null) return { kind: 'invalid', reason: `"${host}" ends in a number but is not a valid IPv4 address.` };
  return { kind: 'ip', address: { version: 'ipv4', value } };
}

function parseIPv6Host(host: string): HostLiteral {
  const bracketed = host.startsWith('[') && host.endsWith(']');
  const inner = bracketed ? host.slice(1, -1) : host;
  // RFC 6874 writes the zone after "%25" in URLs; resolvers and `ip` print it after a bare "%".
  const zoneAt = inner.indexOf('%');
  const addressText = zoneAt === -1 ? inner : inner.slice(0, zoneAt);
  let zone: string | undefined;
  if (zoneAt !== -1) {
    const rest = inner.slice(zoneAt + 1);
    zone = rest.startsWith('25') && rest.length > 2 ? rest.slice(2) : rest;
    if (!ZONE.test(zone)) return { kind: 'invalid', reason: `"${host}" has an IPv6 zone that is not a plain interface name.` };
  }
  const value = parseIPv6(addressText);
  if (value === null) return { kind: 'invalid', reason: `"${host}" is not a valid IPv6 address.` };
  const address: IpAddress = { version: 'ipv6', value };
  return zone === undefined ? { kind: 'ip', address } : { kind: 'ip', address, zone };
}

function hasForbiddenDomainCodePoint(text: string): boolean {
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code <= 0x20 || code === 0x7f || FORBIDDEN_DELIMITERS.includes(char)) return true;
  }
  return false;
}

/** WHATWG percent-decode, then UTF-8 decode; null when the bytes are not UTF-8. */
function percentDecode(text: string): string | null {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (const chunk of text.split(/(%[0-9a-fA-F]{2})/)) {
    if (/^%[0-9a-fA-F]{2}$/.test(chunk)) bytes.push(parseInt(chunk.slice(1), 16));
    else bytes.push(...encoder.encode(chunk));
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return null;
  }
}

/** https://url.spec.whatwg.org/#ends-in-a-number-checker */
function endsInNumber(host: string): boolean {
  const parts = host.split('.');
  if (parts.at(-1) === '') {
    if (parts.length === 1) return false;
    parts.pop();
  }
  const last = parts.at(-1) ?? '';
  return /^[0-9]+$/.test(last) || parseIPv4Number(last) !== null;
}

/** https://url.spec.whatwg.org/#concept-ipv4-parser, as one unsigned 32-bit value. */
function parseWhatwgIPv4(host: string): bigint | null {
  const parts = host.split('.');
  if (parts.at(-1) === '' && parts.length > 1) parts.pop();
  if (parts.length > 4) return null;
  const numbers: bigint[] = [];
  for (const part of parts) {
    const number = parseIPv4Number(part);
    if (number === null) return null;
    numbers.push(number);
  }
  const last = numbers.pop() ?? 0n;
  if (numbers.some((number) => number > 255n)) return null;
  if (last >= 256n ** BigInt(4 - numbers.length)) return null;
  return numbers.reduce((value, number, index) => value + number * 256n ** BigInt(3 - index), last);
}

/** https://url.spec.whatwg.org/#ipv4-number-parser: `0x` hex, leading-zero octal, else decimal. */
function parseIPv4Number(part: string): bigint | null {
  if (part === '') return null;
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0n : BigInt(`0x${part.slice(2)}`);
  if (part.length > 1 && part.startsWith('0')) return /^[0-7]+$/.test(part) ? BigInt(`0o${part}`) : null;
  return /^[0-9]+$/.test(part) ? BigInt(part) : null;
}
