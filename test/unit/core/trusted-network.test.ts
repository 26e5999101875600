import { describe, expect, it } from 'vitest';
import { evaluateTrust, type TrustObservations } from '../../../core/trusted-network.js';
import { TrustedNetworkCriteria } from '../../../protocol/policy.js';

const PIN = 'ab'.repeat(32);
const OTHER_KEY = 'cd'.repeat(32);

/** Criteria through the policy schema, so every fixture is one an admin could save. */
function criteria(fields: Partial<TrustedNetworkCriteria>): TrustedNetworkCriteria {
  return TrustedNetworkCriteria.parse({
    match: 'any',
    dnsServers: [],
    dnsSearchDomains: [],
    hostnameResolves: [],
    defaultGateways: [],
    networkRanges: [],
    beacon: null,
    ...fields,
  });
}

function observed(fields: Partial<TrustObservations> = {}): TrustObservations {
  return {
    dnsServers: [],
    searchDomains: [],
    defaultGateways: [],
    addresses: [],
    vpnDefaultRoute: false,
    resolved: {},
    beacon: null,
    ...fields,
  };
}

describe('evaluateTrust without a trusted network', () => {
  it('is off-trusted, says so, and has no checks', () => {
    expect(evaluateTrust(null, observed({ dnsServers: ['10.0.0.53'] }))).toEqual({
      type: 'off-trusted',
      evidence: ['the profile defines no trusted network'],
      checks: [],
    });
  });

  it('never trusts criteria that set nothing, should any get past the schema', () => {
    const empty: TrustedNetworkCriteria = { match: 'all', dnsServers: [], dnsSearchDomains: [], hostnameResolves: [], defaultGateways: [], networkRanges: [], beacon: null };
    expect(evaluateTrust(empty, observed()).type).toBe('off-trusted');
  });
});

describe('evaluateTrust: DNS servers', () => {
  const c = criteria({ dnsServers: ['10.0.0.53', 'fd00::53'] });

  it('is met when a server is one of the list', () => {
    const verdict = evaluateTrust(c, observed({ dnsServers: ['10.0.0.53', '1.1.1.1'] }));
    expect(verdict.type).toBe('trusted');
    expect(verdict.checks).toEqual([{ criterion: 'dnsServers', met: true, detail: 'DNS servers 10.0.0.53, 1.1.1.1 include 10.0.0.53' }]);
    expect(verdict.evidence).toEqual(['DNS servers 10.0.0.53, 1.1.1.1 include 10.0.0.53']);
  });

  it('compares addresses, not text: IPv4-mapped, uncompressed IPv6, zone ids', () => {
    expect(evaluateTrust(c, observed({ dnsServers: ['::ffff:10.0.0.53'] })).checks[0]).toEqual({
      criterion: 'dnsServers',
      met: true,
      detail: 'DNS server ::ffff:10.0.0.53 is 10.0.0.53',
    });
    expect(evaluateTrust(c, observed({ dnsServers: ['FD00:0:0:0:0:0:0:53'] })).type).toBe('trusted');
    expect(evaluateTrust(criteria({ dnsServers: ['fe80::1'] }), observed({ dnsServers: ['fe80::1%eth0'] })).type).toBe('trusted');
    expect(evaluateTrust(criteria({ dnsServers: ['::ffff:10.0.0.53'] }), observed({ dnsServers: ['10.0.0.53'] })).type).toBe('trusted');
  });

  it('is not met by other servers, a near miss, or text that is no address', () => {
    const verdict = evaluateTrust(c, observed({ dnsServers: ['192.168.1.1', '10.0.0.530', 'resolver'] }));
    expect(verdict.type).toBe('off-trusted');
    expect(verdict.checks).toEqual([
      { criterion: 'dnsServers', met: false, detail: 'DNS servers 192.168.1.1, 10.0.0.530, resolver include none of 10.0.0.53, fd00::53' },
    ]);
    expect(verdict.evidence).toEqual([verdict.checks[0]?.detail]);
    expect(evaluateTrust(criteria({ dnsServers: ['10.0.0.53'] }), observed({ dnsServers: ['192.168.1.1'] })).checks[0]?.detail).toBe(
      'DNS server 192.168.1.1 is not 10.0.0.53',
    );
  });

  it('says when no server was seen at all', () => {
    expect(evaluateTrust(c, observed()).checks[0]?.detail).toBe('no DNS servers were seen; expected one of 10.0.0.53, fd00::53');
  });
});

describe('evaluateTrust: DNS search domains', () => {
  const c = criteria({ dnsSearchDomains: ['corp.example'] });

  it('is met case-insensitively and without trailing dots', () => {
    const verdict = evaluateTrust(c, observed({ searchDomains: ['home.lan', 'CORP.Example.'] }));
    expect(verdict.type).toBe('trusted');
    expect(verdict.checks[0]).toEqual({ criterion: 'dnsSearchDomains', met: true, detail: 'DNS search domains home.lan, CORP.Example. include corp.example' });
  });

  it('is not met by a parent or child domain', () => {
    const verdict = evaluateTrust(c, observed({ searchDomains: ['eu.corp.example', 'example'] }));
    expect(verdict.checks[0]).toEqual({ criterion: 'dnsSearchDomains', met: false, detail: 'DNS search domains eu.corp.example, example do not include corp.example' });
  });
});

describe('evaluateTrust: hostname resolves', () => {
  const c = criteria({ hostnameResolves: [{ hostname: 'intranet.corp', ip: '10.1.2.3' }, { hostname: 'wiki.corp', ip: 'fd00::3' }] });

  it('is met when the answer contains the ip, among others', () => {
    const verdict = evaluateTrust(c, observed({ resolved: { 'intranet.corp': { error: 'ENOTFOUND' }, 'wiki.corp': { addresses: ['10.9.9.9', 'fd00:0::3'] } } }));
    expect(verdict.type).toBe('trusted');
    expect(verdict.checks[0]).toEqual({ criterion: 'hostnameResolves', met: true, detail: 'wiki.corp resolves to 10.9.9.9, fd00:0::3, including fd00::3' });
  });

  it('names the only address when it is the one', () => {
    const verdict = evaluateTrust(c, observed({ resolved: { 'intranet.corp': { addresses: ['10.1.2.3'] } } }));
    expect(verdict.checks[0]?.detail).toBe('intranet.corp resolves to 10.1.2.3');
  });

  it('says what every name resolved to, or why it did not, when none holds', () => {
    const verdict = evaluateTrust(c, observed({ resolved: { 'intranet.corp': { error: 'ENOTFOUND' }, 'wiki.corp': { addresses: ['203.0.113.5'] } } }));
    expect(verdict.type).toBe('off-trusted');
    expect(verdict.checks[0]).toEqual({
      criterion: 'hostnameResolves',
      met: false,
      detail: 'resolving intranet.corp failed: ENOTFOUND; wiki.corp resolves to 203.0.113.5, not fd00::3',
    });
  });

  it('tells an empty answer and a name never looked up apart', () => {
    const verdict = evaluateTrust(c, observed({ resolved: { 'intranet.corp': { addresses: [] } } }));
    expect(verdict.checks[0]?.detail).toBe('intranet.corp resolves to no address; expected 10.1.2.3; wiki.corp was not looked up');
  });

  it('finds the answer whatever the case of its key, and ignores inherited keys', () => {
    expect(evaluateTrust(c, observed({ resolved: { 'INTRANET.corp': { addresses: ['10.1.2.3'] } } })).type).toBe('trusted');
    const constructorName = criteria({ hostnameResolves: [{ hostname: 'constructor', ip: '10.1.2.3' }] });
    expect(evaluateTrust(constructorName, observed()).checks[0]?.detail).toBe('constructor was not looked up');
  });
});

describe('evaluateTrust: default gateways', () => {
  const c = criteria({ defaultGateways: ['10.0.0.1'] });

  it('is met by the gateway, in any text form of the address', () => {
    const verdict = evaluateTrust(c, observed({ defaultGateways: ['::FFFF:10.0.0.1'] }));
    expect(verdict.checks[0]).toEqual({ criterion: 'defaultGateways', met: true, detail: 'default gateway ::FFFF:10.0.0.1 is 10.0.0.1' });
  });

  it('is not met by another gateway, or by none', () => {
    expect(evaluateTrust(c, observed({ defaultGateways: ['192.168.1.1', 'fe80::1'] })).checks[0]).toEqual({
      criterion: 'defaultGateways',
      met: false,
      detail: 'default gateways 192.168.1.1, fe80::1 do not include 10.0.0.1',
    });
    expect(evaluateTrust(c, observed()).checks[0]?.detail).toBe('no default gateways were seen; expected 10.0.0.1');
  });
});

describe('evaluateTrust: network ranges', () => {
  const c = criteria({ networkRanges: ['10.0.0.0/8', '2001:db8:10::/48'] });

  it('is met when an own address, with or without its prefix, is inside a range', () => {
    const verdict = evaluateTrust(c, observed({ addresses: ['192.168.1.5/24', '10.20.30.40/16'] }));
    expect(verdict.checks[0]).toEqual({ criterion: 'networkRanges', met: true, detail: 'address 10.20.30.40/16 is inside 10.0.0.0/8' });
    expect(evaluateTrust(c, observed({ addresses: ['2001:db8:10:1::5'] })).type).toBe('trusted');
    expect(evaluateTrust(c, observed({ addresses: ['::ffff:10.1.1.1'] })).type).toBe('trusted');
  });

  it('is not met by addresses outside every range', () => {
    expect(evaluateTrust(c, observed({ addresses: ['192.168.1.5/24', 'fe80::1%eth0/64'] })).checks[0]).toEqual({
      criterion: 'networkRanges',
      met: false,
      detail: 'addresses 192.168.1.5/24, fe80::1%eth0/64 are inside none of 10.0.0.0/8, 2001:db8:10::/48',
    });
    expect(evaluateTrust(criteria({ networkRanges: ['10.0.0.0/8'] }), observed({ addresses: ['11.0.0.1'] })).checks[0]?.detail).toBe(
      'address 11.0.0.1 is not inside 10.0.0.0/8',
    );
    expect(evaluateTrust(c, observed()).checks[0]?.detail).toBe('the device has no addresses; expected an address inside one of 10.0.0.0/8, 2001:db8:10::/48');
  });

  it('keeps a long list of addresses to one line', () => {
    const addresses = Array.from({ length: 9 }, (_, i) => `192.168.1.${i + 1}`);
    expect(evaluateTrust(c, observed({ addresses })).checks[0]?.detail).toBe(
      'addresses 192.168.1.1, 192.168.1.2, 192.168.1.3, 192.168.1.4, 192.168.1.5, 192.168.1.6 and 3 more are inside none of 10.0.0.0/8, 2001:db8:10::/48',
    );
  });
});

describe('evaluateTrust: TLS beacon', () => {
  const c = criteria({ beacon: { address: 'corp.example:8443', spkiSha256: PIN.toUpperCase() } });

  it('is met when the key is the pinned one, whatever the case of the hex', () => {
    const verdict = evaluateTrust(c, observed({ beacon: { address: 'corp.example:8443', spkiSha256: PIN, error: null } }));
    expect(verdict.type).toBe('trusted');
    expect(verdict.checks).toEqual([{ criterion: 'beacon', met: true, detail: 'beacon corp.example:8443 presented the pinned key' }]);
  });

  it('is not met by another key, and names the key it saw', () => {
    const verdict = evaluateTrust(c, observed({ beacon: { address: 'corp.example:8443', spkiSha256: OTHER_KEY.toUpperCase(), error: null } }));
    expect(verdict.checks[0]).toEqual({
      criterion: 'beacon',
      met: false,
      detail: `beacon corp.example:8443 presented a key with SHA-256 ${OTHER_KEY} — not the pinned one`,
    });
  });

  it('is not met when the beacon failed, was not checked, or was another beacon', () => {
    const failed = observed({ beacon: { address: 'corp.example:8443', spkiSha256: null, error: 'ECONNREFUSED' } });
    expect(evaluateTrust(c, failed).checks[0]?.detail).toBe('checking beacon corp.example:8443 failed: ECONNREFUSED');
    expect(evaluateTrust(c, observed()).checks[0]?.detail).toBe('beacon corp.example:8443 was not checked');
    const stale = observed({ beacon: { address: 'old.example:443', spkiSha256: PIN, error: null } });
    expect(evaluateTrust(c, stale).checks[0]).toEqual({ criterion: 'beacon', met: false, detail: 'beacon corp.example:8443 was not checked' });
    const noKey = observed({ beacon: { address: 'corp.example:8443', spkiSha256: null, error: null } });
    expect(evaluateTrust(c, noKey).checks[0]?.detail).toBe('beacon corp.example:8443 presented no certificate');
  });
});

describe('evaluateTrust: any, all, and the VPN', () => {
  const fields = {
    dnsServers: ['10.0.0.53'],
    defaultGateways: ['10.0.0.1'],
    beacon: { address: '10.0.0.10:443', spkiSha256: PIN },
  };
  const office = observed({
    dnsServers: ['10.0.0.53'],
    defaultGateways: ['10.0.0.1'],
    beacon: { address: '10.0.0.10:443', spkiSha256: PIN, error: null },
  });
  const hostile = observed({
    dnsServers: ['10.0.0.53'],
    defaultGateways: ['10.0.0.1'],
    beacon: { address: '10.0.0.10:443', spkiSha256: OTHER_KEY, error: null },
  });

  it('any: one met criterion is enough, and only the met ones are evidence', () => {
    const verdict = evaluateTrust(criteria({ ...fields, match: 'any' }), hostile);
    expect(verdict.type).toBe('trusted');
    expect(verdict.checks.map((check) => [check.criterion, check.met])).toEqual([
      ['dnsServers', true],
      ['defaultGateways', true],
      ['beacon', false],
    ]);
    expect(verdict.evidence).toEqual(['DNS server 10.0.0.53 is 10.0.0.53', 'default gateway 10.0.0.1 is 10.0.0.1']);
  });

  it('any: off-trusted when none holds, with every check as evidence', () => {
    const verdict = evaluateTrust(criteria({ ...fields, match: 'any' }), observed({ dnsServers: ['1.1.1.1'] }));
    expect(verdict.type).toBe('off-trusted');
    expect(verdict.evidence).toEqual([
      'DNS server 1.1.1.1 is not 10.0.0.53',
      'no default gateways were seen; expected 10.0.0.1',
      'beacon 10.0.0.10:443 was not checked',
    ]);
  });

  it('all: one unmet criterion is enough to be off-trusted, and it alone is the evidence', () => {
    const verdict = evaluateTrust(criteria({ ...fields, match: 'all' }), hostile);
    expect(verdict.type).toBe('off-trusted');
    expect(verdict.evidence).toEqual([`beacon 10.0.0.10:443 presented a key with SHA-256 ${OTHER_KEY} — not the pinned one`]);
    expect(verdict.checks).toHaveLength(3);
  });

  it('all: trusted when every criterion holds, with every check as evidence', () => {
    const verdict = evaluateTrust(criteria({ ...fields, match: 'all' }), office);
    expect(verdict.type).toBe('trusted');
    expect(verdict.evidence).toEqual(verdict.checks.map((check) => check.detail));
  });

  it('is vpn-trusted when the criteria hold over a VPN default route, and says so', () => {
    const verdict = evaluateTrust(criteria({ ...fields, match: 'all' }), { ...office, vpnDefaultRoute: true });
    expect(verdict.type).toBe('vpn-trusted');
    expect(verdict.evidence.at(-1)).toBe('the default route goes through a VPN interface');
  });

  it('stays off-trusted over a VPN when the criteria do not hold', () => {
    const verdict = evaluateTrust(criteria({ ...fields, match: 'all' }), { ...hostile, vpnDefaultRoute: true });
    expect(verdict.type).toBe('off-trusted');
    expect(verdict.evidence).not.toContain('the default route goes through a VPN interface');
  });

  it('checks every criterion set, in the order of the policy, each with a detail', () => {
    const all = criteria({
      match: 'all',
      dnsServers: ['10.0.0.53'],
      dnsSearchDomains: ['corp.example'],
      hostnameResolves: [{ hostname: 'intranet.corp', ip: '10.1.2.3' }],
      defaultGateways: ['10.0.0.1'],
      networkRanges: ['10.0.0.0/8'],
      beacon: { address: '10.0.0.10:443', spkiSha256: PIN },
    });
    const verdict = evaluateTrust(all, observed());
    expect(verdict.checks.map((check) => check.criterion)).toEqual(['dnsServers', 'dnsSearchDomains', 'hostnameResolves', 'defaultGateways', 'networkRanges', 'beacon']);
    for (const check of verdict.checks) expect(check.detail).not.toBe('');
  });
});
