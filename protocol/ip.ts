/**
 * IP addresses and CIDR prefixes, parsed exactly. protocol/ also runs in the browser (the admin UI,
 * browser-only mode), so this cannot lean on node:net; and zod's regexes accept what we must refuse
 * (host bits set in a prefix) and refuse what we must accept (IPv4-embedded IPv6 like ::ffff:1.2.3.4).
 *
 * The policy writes addresses as text; the portal simulator, the device's split tunnel and the
 * edge's destination rules all match with these functions, so the three agree on every edge case.
 */

export type IpVersion = 'ipv4' | 'ipv6';

export interface IpAddress {
  readonly version: IpVersion;
  /** The address as an unsigned integer of 32 (IPv4) or 128 (IPv6) bits. */
  readonly value: bigint;
}

export interface Cidr {
  readonly version: IpVersion;
  /** The network address: host bits are always zero. */
  readonly network: bigint;
  readonly prefix: number;
}

export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; message: string };

const BITS: Record<IpVersion, number> = { ipv4: 32, ipv6: 128 };
const IPV4_MAPPED_PREFIX = 0xffffn << 32n;

/**
 * Dotted quad only, without leading zeros: "010" is octal to inet_aton and decimal to others, so a
 * policy that wrote it would mean different networks on different devices.
 */
export function parseIPv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

/** RFC 4291 §2.2 text forms, including `::` and a trailing dotted quad; zone ids are refused. */
export function parseIPv6(text: string): bigint | null {
  let groupsText = text;
  const lastColon = text.lastIndexOf(':');
  if (lastColon === -1) return null;
  if (text.includes('.', lastColon)) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    groupsText = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = groupsText.split('::');
  if (halves.length > 2) return null;
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (head === null || tail === null) return null;
  let groups: number[];
  if (halves.length === 2) {
    if (head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return null;
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

function groupsOf(text: string): number[] | null {
  if (text === '') return [];
  const groups: number[] = [];
  for (const part of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return null;
    groups.push(parseInt(part, 16));
  }
  return groups;
}

/** An IPv4 or IPv6 address; brackets (as in URLs, `[::1]`) are accepted around IPv6. */
export function parseIp(text: string): IpAddress | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (bare.includes(':')) {
    const value = parseIPv6(bare);
    return value === null ? null : { version: 'ipv6', value };
  }
  const value = parseIPv4(bare);
  return value === null ? null : { version: 'ipv4', value };
}

/** Canonical text: dotted quad, or RFC 5952 (lowercase, longest zero run as `::`). */
export function formatIp(address: IpAddress): string {
  if (address.version === 'ipv4') {
    return [24n, 16n, 8n, 0n].map((shift) => String((address.value >> shift) & 0xffn)).join('.');
  }
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => Number((address.value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start += 1) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length += 1;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** `address/prefix`, refusing host bits so that what the admin wrote is exactly what matches. */
export function parseCidr(text: string): CidrParse {
  const parts = text.split('/');
  if (parts.length !== 2) return { ok: false, message: 'Expected address/prefix, like 10.0.0.0/8 or fd00::/8.' };
  const [addressText = '', prefixText = ''] = parts;
  const address = parseIp(addressText);
  if (address === null || addressText.startsWith('[')) return { ok: false, message: `"${addressText}" is not an IPv4 or IPv6 address.` };
  const bits = BITS[address.version];
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
    return { ok: false, message: `The prefix length must be a number from 0 to ${bits} for an ${address.version === 'ipv4' ? 'IPv4' : 'IPv6'} network.` };
  }
  const prefix = Number(prefixText);
  const network = address.value & networkMask(address.version, prefix);
  if (network !== address.value) {
    const suggestion = `${formatIp({ version: address.version, value: network })}/${prefix}`;
    return { ok: false, message: `Host bits are set after the /${prefix} prefix; did you mean ${suggestion}?` };
  }
  return { ok: true, cidr: { version: address.version, network, prefix } };
}

function networkMask(version: IpVersion, prefix: number): bigint {
  const bits = BigInt(BITS[version]);
  const all = (1n << bits) - 1n;
  return (all << (bits - BigInt(prefix))) & all;
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) matches IPv4 networks: it is that IPv4 host. */
export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  let candidate = address;
  if (cidr.version === 'ipv4' && address.version === 'ipv6' && address.value >> 32n === IPV4_MAPPED_PREFIX >> 32n) {
    candidate = { version: 'ipv4', value: address.value & 0xffffffffn };
  }
  if (candidate.version !== cidr.version) return false;
  const mask = networkMask(cidr.version, cidr.prefix);
  return (candidate.value & mask) === cidr.network;
}

/** True when every address of `inner` is inside `outer`. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.version === outer.version && inner.prefix >= outer.prefix && cidrContains(outer, { version: inner.version, value: inner.network });
}

/** localhost, 127.0.0.0/8 or ::1: the only hosts a cleartext (http://, ws://) edge URL may name. */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const address = parseIp(host);
  if (address === null) return false;
  if (address.version === 'ipv6') return address.value === 1n;
  return address.value >> 24n === 127n;
}
