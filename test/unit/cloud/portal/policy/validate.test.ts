import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../../../protocol/policy.js';
import { formatPath, validatePolicy } from '../../../../../cloud/portal/policy/validate.js';
import { samplePolicy } from './sample-policy.js';

type Path = readonly (string | number)[];

/** A fresh sample with one value replaced (or removed, for `undefined`). */
function withValue(path: Path, value: unknown): unknown {
  const doc: unknown = samplePolicy();
  let node = doc as object;
  for (const key of path.slice(0, -1)) node = Reflect.get(node, key) as object;
  const last = path.at(-1)!;
  if (value === undefined) Reflect.deleteProperty(node, last);
  else Reflect.set(node, last, value);
  return doc;
}

function errorsOf(input: unknown) {
  const result = validatePolicy(input);
  if (result.ok) throw new Error('expected the document to be invalid');
  return result.errors;
}

describe('validatePolicy accepts', () => {
  it('the demo default and the full sample, returning them unchanged (no defaults, no transforms)', () => {
    for (const doc of [DEFAULT_POLICY, samplePolicy()]) {
      const result = validatePolicy(doc);
      expect(result).toEqual({ ok: true, policy: doc });
    }
  });
});

describe('validatePolicy reports each problem at its exact path', () => {
  const PAC_UNKNOWN = 'function FindProxyForURL(url, host) {\n  return "${PROXY}; ${EDGE}";\n}';
  const cases: { name: string; path: Path; value: unknown; at: string; message: string }[] = [
    { name: 'a prefix longer than 32', path: ['forwardingProfiles', 0, 'exclude', 'cidrs', 1], value: '10.0.0.0/33', at: 'forwardingProfiles[0].exclude.cidrs[1]', message: 'from 0 to 32' },
    { name: 'host bits in an IPv4 CIDR', path: ['forwardingProfiles', 0, 'exclude', 'cidrs', 0], value: '192.168.1.0/16', at: 'forwardingProfiles[0].exclude.cidrs[0]', message: 'did you mean 192.168.0.0/16?' },
    { name: 'host bits in an IPv6 CIDR', path: ['forwardingProfiles', 0, 'privateDestinations', 'cidrs', 0], value: 'fd00::1/8', at: 'forwardingProfiles[0].privateDestinations.cidrs[0]', message: 'did you mean fd00::/8?' },
    { name: 'a bad DNS server address', path: ['forwardingProfiles', 0, 'trustedNetwork', 'dnsServers', 1], value: '10.0.0.256', at: 'forwardingProfiles[0].trustedNetwork.dnsServers[1]', message: 'not an IPv4 or IPv6 address' },
    { name: 'an octal-looking address', path: ['forwardingProfiles', 0, 'trustedNetwork', 'defaultGateways', 0], value: '010.0.0.1', at: 'forwardingProfiles[0].trustedNetwork.defaultGateways[0]', message: 'not an IPv4 or IPv6 address' },
    { name: 'a duplicate app profile id', path: ['appProfiles', 2, 'id'], value: 'contractors', at: 'appProfiles[2].id', message: 'Duplicate app profile id "contractors" (also appProfiles[0].id)' },
    { name: 'a duplicate edge id', path: ['edges', 2, 'id'], value: 'eu-1', at: 'edges[2].id', message: 'Duplicate edge id "eu-1" (also edges[0].id)' },
    { name: 'a duplicate access rule id', path: ['access', 'rules', 3, 'id'], value: 'sre-ssh', at: 'access.rules[3].id', message: '(also access.rules[1].id)' },
    { name: 'a dangling forwarding profile reference', path: ['appProfiles', 1, 'forwardingProfile'], value: 'labs', at: 'appProfiles[1].forwardingProfile', message: 'No forwarding profile has id "labs"; the ids are "office", "strict".' },
    { name: 'an edge selection naming no edge', path: ['forwardingProfiles', 1, 'edgeSelection', 'edges', 0], value: 'mars-1', at: 'forwardingProfiles[1].edgeSelection.edges[0]', message: 'No edge has id "mars-1"' },
    { name: 'an edge selected twice', path: ['forwardingProfiles', 0, 'edgeSelection', 'edges'], value: ['eu-1', 'us-1', 'eu-1'], at: 'forwardingProfiles[0].edgeSelection.edges[2]', message: 'Duplicate edge "eu-1" (also at [0])' },
    { name: 'an empty edge selection', path: ['forwardingProfiles', 0, 'edgeSelection', 'edges'], value: [], at: 'forwardingProfiles[0].edgeSelection.edges', message: '>=1' },
    { name: 'an unknown PAC variable', path: ['forwardingProfiles', 1, 'pac'], value: PAC_UNKNOWN, at: 'forwardingProfiles[1].pac', message: 'Line 2: unknown variable ${PROXY}' },
    { name: 'an unclosed PAC variable', path: ['forwardingProfiles', 1, 'pac'], value: 'function FindProxyForURL(url, host) {\n  return "${EDGE";\n}', at: 'forwardingProfiles[1].pac', message: 'Line 2: "${" is not closed' },
    { name: 'a PAC without FindProxyForURL', path: ['forwardingProfiles', 1, 'pac'], value: 'return "${EDGE}";', at: 'forwardingProfiles[1].pac', message: 'must define function FindProxyForURL' },
    { name: 'a pin with colons', path: ['forwardingProfiles', 0, 'trustedNetwork', 'beacon', 'spkiSha256'], value: 'D9:AF:0E:E2:09:60:A2:62:F6:C8:9E:80:2D:BF:E5:67:FA:49:73:71:D4:82:E4:0F:75:7F:08:60:F2:71:39:E9', at: 'forwardingProfiles[0].trustedNetwork.beacon.spkiSha256', message: 'without colons' },
    { name: 'a pin of the wrong length', path: ['forwardingProfiles', 0, 'trustedNetwork', 'beacon', 'spkiSha256'], value: 'abc123', at: 'forwardingProfiles[0].trustedNetwork.beacon.spkiSha256', message: '64 hex digits' },
    { name: 'a beacon without a port', path: ['forwardingProfiles', 0, 'trustedNetwork', 'beacon', 'address'], value: 'beacon.corp.example.com', at: 'forwardingProfiles[0].trustedNetwork.beacon.address', message: 'has no port' },
    { name: 'a beacon with an unbracketed IPv6 address', path: ['forwardingProfiles', 0, 'trustedNetwork', 'beacon', 'address'], value: 'fd00::1:443', at: 'forwardingProfiles[0].trustedNetwork.beacon.address', message: 'in brackets' },
    { name: 'a tunnel range that is not a /16', path: ['forwardingProfiles', 0, 'tunnelRange'], value: '100.64.0.0/24', at: 'forwardingProfiles[0].tunnelRange', message: 'must be an IPv4 /16' },
    { name: 'a tunnel range outside 100.64.0.0/10', path: ['forwardingProfiles', 0, 'tunnelRange'], value: '100.128.0.0/16', at: 'forwardingProfiles[0].tunnelRange', message: 'inside 100.64.0.0/10' },
    { name: 'a private tunnel range', path: ['forwardingProfiles', 1, 'tunnelRange'], value: '10.64.0.0/16', at: 'forwardingProfiles[1].tunnelRange', message: 'inside 100.64.0.0/10' },
    { name: 'a proxy URL with another scheme', path: ['edges', 0, 'proxyUrl'], value: 'ftp://eu-1.edge.example.com', at: 'edges[0].proxyUrl', message: 'not ftp://' },
    { name: 'a cleartext proxy URL off loopback', path: ['edges', 0, 'proxyUrl'], value: 'http://eu-1.edge.example.com:8080', at: 'edges[0].proxyUrl', message: 'in the clear' },
    { name: 'a proxy URL with a path', path: ['edges', 1, 'proxyUrl'], value: 'https://us-1.edge.example.com/proxy', at: 'edges[1].proxyUrl', message: 'has no path' },
    { name: 'a cleartext tunnel URL off loopback', path: ['edges', 1, 'tunnelUrl'], value: 'ws://us-1.edge.example.com/tunnel/v1', at: 'edges[1].tunnelUrl', message: 'use wss://' },
    { name: 'a tunnel URL with credentials', path: ['edges', 1, 'tunnelUrl'], value: 'wss://user:secret@us-1.edge.example.com/tunnel/v1', at: 'edges[1].tunnelUrl', message: 'Remove the user name and password' },
    { name: 'a tunnel URL that is https', path: ['edges', 2, 'tunnelUrl'], value: 'https://ap-1.edge.example.com/tunnel/v1', at: 'edges[2].tunnelUrl', message: 'must be wss://' },
    { name: 'a plain password', path: ['appProfiles', 0, 'passwords', 'uninstall'], value: 'hunter2', at: 'appProfiles[0].passwords.uninstall', message: 'never the password itself' },
    { name: 'a too-cheap scrypt cost', path: ['appProfiles', 1, 'passwords', 'disable'], value: 'scrypt$1024$8$1$MUZoXAy07UEtK1EMtzTz+g==$tMC7b8YNwo3AR5j2nrRPdJhSngvtrP/jZAcm7eZBp90=', at: 'appProfiles[1].passwords.disable', message: 'power of two from 16384' },
    { name: 'a short hash', path: ['appProfiles', 0, 'passwords', 'logout'], value: 'scrypt$16384$8$1$MUZoXAy07UEtK1EMtzTz+g==$tMC7b8YNwo3AR5j2', at: 'appProfiles[0].passwords.logout', message: '32 bytes' },
    { name: 'installCa without a CA', path: ['ca'], value: null, at: 'appProfiles[0].installCa', message: 'no ca certificate' },
    { name: 'a CA that is not PEM', path: ['ca'], value: 'MIIBkzCCATmgAwIBAgIU', at: 'ca', message: 'one PEM certificate' },
    { name: 'a misspelt field', path: ['appProfiles', 1, 'instalCa'], value: true, at: 'appProfiles[1].instalCa', message: 'Unknown field "instalCa".' },
    { name: 'a missing field', path: ['forwardingProfiles', 0, 'allowUserProxy'], value: undefined, at: 'forwardingProfiles[0].allowUserProxy', message: 'Required.' },
    { name: 'a numeric enum', path: ['appProfiles', 0, 'logLevel'], value: 3, at: 'appProfiles[0].logLevel', message: 'expected one of "error"|"warn"|"info"|"debug"' },
    { name: 'an unknown action', path: ['forwardingProfiles', 0, 'actions', 'vpn-trusted', 'internet'], value: 'proxy', at: 'forwardingProfiles[0].actions.vpn-trusted.internet', message: '"tunnel"|"local-proxy"|"enforce-proxy"|"none"' },
    { name: 'private access by proxy', path: ['forwardingProfiles', 1, 'actions', 'trusted', 'privateAccess'], value: 'local-proxy', at: 'forwardingProfiles[1].actions.trusted.privateAccess', message: '"tunnel"|"none"' },
    { name: 'an unknown OS', path: ['appProfiles', 1, 'match', 'os', 0], value: 'android', at: 'appProfiles[1].match.os[0]', message: '"linux"|"macos"|"windows"|"chromeos"' },
    { name: 'a user that is not an email', path: ['appProfiles', 0, 'match', 'users', 0], value: 'eve', at: 'appProfiles[0].match.users[0]', message: 'email' },
    { name: 'a group name with spaces around it', path: ['appProfiles', 1, 'match', 'groups', 0], value: ' engineering', at: 'appProfiles[1].match.groups[0]', message: 'no spaces at either end' },
    { name: 'another schema version', path: ['schemaVersion'], value: 2, at: 'schemaVersion', message: 'schemaVersion must be 1' },
    { name: 'a wildcard inside a name', path: ['access', 'rules', 0, 'domains', 0], value: 'casino.*.example', at: 'access.rules[0].domains[0]', message: 'only as the whole leftmost label' },
    { name: 'an address among domains', path: ['forwardingProfiles', 0, 'exclude', 'domains', 1], value: '10.1.2.3', at: 'forwardingProfiles[0].exclude.domains[1]', message: 'put addresses in the cidrs list' },
    { name: 'a domain with a bad label', path: ['forwardingProfiles', 0, 'trustedNetwork', 'dnsSearchDomains', 0], value: 'corp-.example.com', at: 'forwardingProfiles[0].trustedNetwork.dnsSearchDomains[0]', message: '"corp-" is not a valid label' },
    { name: 'a port range that ends before it starts', path: ['access', 'rules', 1, 'ports', 0], value: { from: 443, to: 80 }, at: 'access.rules[1].ports[0].to', message: 'ends (80) before it starts (443)' },
    { name: 'port 0', path: ['access', 'rules', 2, 'ports', 1, 'from'], value: 0, at: 'access.rules[2].ports[1].from', message: '>=1' },
    { name: 'an unknown access action', path: ['access', 'defaultAction'], value: 'deny', at: 'access.defaultAction', message: '"allow"|"block"' },
    { name: 'a trusted network without criteria', path: ['forwardingProfiles', 0, 'trustedNetwork'], value: { match: 'all', dnsServers: [], dnsSearchDomains: [], hostnameResolves: [], defaultGateways: [], networkRanges: [], beacon: null }, at: 'forwardingProfiles[0].trustedNetwork', message: 'No criteria are set' },
    { name: 'no app profiles', path: ['appProfiles'], value: [], at: 'appProfiles', message: 'at least one app profile' },
    { name: 'a poll interval below a minute', path: ['appProfiles', 2, 'configPollSeconds'], value: 5, at: 'appProfiles[2].configPollSeconds', message: '>=60' },
    { name: 'an id with capitals', path: ['edges', 2, 'id'], value: 'AP-1', at: 'edges[2].id', message: 'lowercase letters' },
  ];

  it.each(cases)('$name → $at', ({ path, value, at, message }) => {
    const errors = errorsOf(withValue(path, value));
    expect(errors).toEqual([{ path: at, message: expect.stringContaining(message) }]);
  });

  it('has at least fifteen distinct bad cases', () => {
    expect(new Set(cases.map((c) => c.at)).size).toBeGreaterThanOrEqual(15);
  });

  it('reports every field problem of a document at once', () => {
    const doc = samplePolicy();
    doc.edges[0]!.proxyUrl = 'ftp://x.example.com';
    doc.forwardingProfiles[1]!.tunnelRange = '100.64.0.0/8';
    doc.appProfiles[2]!.match.users = ['not-an-email'];
    expect(errorsOf(doc).map((e) => e.path)).toEqual(['appProfiles[2].match.users[0]', 'forwardingProfiles[1].tunnelRange', 'edges[0].proxyUrl']);
  });

  it('reports all reference problems together once the shape is right', () => {
    const doc = samplePolicy();
    doc.appProfiles[0]!.forwardingProfile = 'gone';
    doc.edges[1]!.id = 'eu-1';
    expect(errorsOf(doc).map((e) => e.path)).toEqual([
      'edges[1].id',
      'appProfiles[0].forwardingProfile',
      'forwardingProfiles[0].edgeSelection.edges[1]',
      'forwardingProfiles[1].edgeSelection.edges[0]',
    ]);
  });

  it('reports a duplicate id and the reference it leaves dangling', () => {
    expect(errorsOf(withValue(['forwardingProfiles', 1, 'id'], 'office'))).toEqual([
      { path: 'forwardingProfiles[1].id', message: 'Duplicate forwarding profile id "office" (also forwardingProfiles[0].id).' },
      { path: 'appProfiles[0].forwardingProfile', message: 'No forwarding profile has id "strict"; the ids are "office".' },
    ]);
  });

  it('reports one error per unknown field, at the field', () => {
    const errors = errorsOf({ ...samplePolicy(), comment: 'x', version: 3 });
    expect(errors).toEqual([
      { path: 'comment', message: 'Unknown field "comment".' },
      { path: 'version', message: 'Unknown field "version".' },
    ]);
  });

  it('puts a problem with the whole document at the empty path', () => {
    expect(errorsOf('not a policy')).toEqual([{ path: '', message: expect.stringContaining('expected object') }]);
  });
});

describe('formatPath', () => {
  it('writes indices in brackets and names with dots', () => {
    expect(formatPath(['forwardingProfiles', 0, 'trustedNetwork', 'dnsServers', 2])).toBe('forwardingProfiles[0].trustedNetwork.dnsServers[2]');
    expect(formatPath([])).toBe('');
    expect(formatPath([0, 'a'])).toBe('[0].a');
  });
});
