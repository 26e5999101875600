/**
 * Static hosts for the edge (`--hosts FILE`, /etc/hosts format): names that must mean a fixed
 * address on this edge (split-horizon names, test origins) resolve from the file; every other name
 * goes to DNS. The file only changes what a name resolves to — the policy and the SSRF guard still
 * judge the addresses it yields, so mapping a name to 127.0.0.1 reaches loopback only where an allow
 * rule names a CIDR covering it, exactly as for a DNS answer.
 *
 * Read once at start: a bad line stops the edge with the line named, rather than leaving a name to
 * fall through to DNS unnoticed.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Resolve } from './proxy/dial.js';

/** Lower-case name without a trailing dot → its addresses, in file order. */
export type HostsTable = ReadonlyMap<string, readonly string[]>;

/** RFC 1123 labels (with `_`, which real hosts files carry), dot-separated, at most 253 characters. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Parses hosts-file text; `source` names the file in errors. Throws on the first bad line. */
export function parseHosts(text: string, source: string): HostsTable {
  const table = new Map<string, string[]>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const fields = raw.replace(/#.*$/, '').trim().split(/\s+/).filter((field) => field !== '');
    const [address, ...names] = fields;
    if (address === undefined) return;
    const where = `${source}, line ${index + 1} ("${raw.trim()}")`;
    if (isIP(address) === 0) throw new Error(`${where}: "${address}" is not an IP address. Each line is an address, then the names it stands for.`);
    if (names.length === 0) throw new Error(`${where}: no name follows the address.`);
    for (const name of names.map(canonicalName)) {
      if (!HOST_NAME.test(name)) throw new Error(`${where}: "${name}" is not a host name.`);
      const addresses = table.get(name) ?? [];
      if (!addresses.includes(address)) addresses.push(address);
      table.set(name, addresses);
    }
  });
  return table;
}

export async function readHosts(file: string): Promise<HostsTable> {
  return parseHosts(await readFile(file, 'utf8'), file);
}

/** Names in `table` resolve to their addresses without asking `fallback`; the rest go to it. */
export function withStaticHosts(table: HostsTable, fallback: Resolve): Resolve {
  return (host) => {
    const addresses = table.get(canonicalName(host));
    return addresses === undefined ? fallback(host) : Promise.resolve(addresses);
  };
}
