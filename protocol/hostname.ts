/**
 * Host names, domain patterns and `host:port`, as the policy writes them. Checks return a sentence
 * for the admin (or null when the text is fine), so the policy schema can put it next to the field.
 *
 * Domain patterns, matched case-insensitively against a request's host name:
 * - `example.com`   exactly that name;
 * - `.example.com`  the name itself and every name under it, at any depth;
 * - `*.example.com` every name under it, at any depth, but not example.com itself.
 * The simulator, the device's bypass lists and the edge's access rules all match with
 * `domainPatternMatches`, so they cannot disagree.
 */
import { parseIp, parseIPv4 } from './ip.js';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A DNS name in LDH form (RFC 1123); internationalised names go in their xn-- form. */
export function checkHostname(text: string): string | null {
  if (text === '') return 'A host name cannot be empty.';
  if (text.endsWith('.')) return `Write "${text.slice(0, -1)}" without the trailing dot.`;
  if (text.length > 253) return 'A host name has at most 253 characters.';
  if (/[\u0080-\u{10ffff}]/u.test(text)) return `"${text}" has non-ASCII characters; write internationalised names in their xn-- (punycode) form.`;
  if (parseIp(text) !== null) return `"${text}" is an IP address, not a host name.`;
  const labels = text.split('.');
  for (const label of labels) {
    if (!LABEL.test(label)) {
      return `"${label}" is not a valid label in "${text}": labels are 1–63 letters, digits and hyphens, and do not start or end with a hyphen.`;
    }
  }
  if (/^[0-9]+$/.test(labels.at(-1) ?? '')) return `"${text}" ends in a numeric label, which no DNS name does; is it a mistyped IP address?`;
  return null;
}

/** A host name or an IP address, as a host part of a URL or `host:port`. */
export function checkHost(text: string): string | null {
  if (parseIp(text) !== null) return null;
  return checkHostname(text);
}

export function checkDomainPattern(text: string): string | null {
  if (text === '*' || text === '.' || text === '*.') return `"${text}" would match every name; leave the list empty or use the default action instead.`;
  const bare = text.startsWith('*.') ? text.slice(2) : text.startsWith('.') ? text.slice(1) : text;
  if (bare.includes('*')) return `A wildcard is allowed only as the whole leftmost label, as in *.example.com.`;
  if (parseIp(bare) !== null || (bare.includes('/') && parseIp(bare.split('/')[0] ?? '') !== null)) {
    return `"${text}" is an address; put addresses in the cidrs list (a single host is /32 or /128).`;
  }
  return checkHostname(bare);
}

/** Whether a host name (any case, trailing dot allowed) matches a valid domain pattern. */
export function domainPatternMatches(pattern: string, host: string): boolean {
  const name = (host.endsWith('.') ? host.slice(0, -1) : host).toLowerCase();
  const lowered = pattern.toLowerCase();
  if (lowered.startsWith('*.')) return name.endsWith(lowered.slice(1));
  if (lowered.startsWith('.')) return name === lowered.slice(1) || name.endsWith(lowered);
  return name === lowered;
}

export interface HostPort {
  host: string;
  port: number;
}

export type HostPortParse = { ok: true; value: HostPort } | { ok: false; message: string };

/** `name:port`, `192.0.2.1:port` or `[2001:db8::1]:port`; the port is required. */
export function parseHostPort(text: string): HostPortParse {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1 || text[close + 1] !== ':') return { ok: false, message: 'Expected [IPv6 address]:port, like [2001:db8::1]:443.' };
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (!host.includes(':') || parseIp(host) === null) return { ok: false, message: `"${host}" is not an IPv6 address.` };
  } else {
    const colon = text.lastIndexOf(':');
    if (colon === -1) return { ok: false, message: `Expected host:port, like beacon.example.com:443; "${text}" has no port.` };
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) return { ok: false, message: 'Write an IPv6 address in brackets, like [2001:db8::1]:443.' };
    const problem = parseIPv4(host) !== null ? null : checkHostname(host);
    if (problem !== null) return { ok: false, message: problem };
  }
  if (!/^[1-9][0-9]{0,4}$/.test(portText) || Number(portText) > 65535) {
    return { ok: false, message: `"${portText}" is not a port: expected a number from 1 to 65535.` };
  }
  return { ok: true, value: { host, port: Number(portText) } };
}
