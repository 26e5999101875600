/**
 * A policy that uses every part of the document: three app profiles in a deliberate order, two
 * forwarding profiles (one with every trusted-network criterion), three edges (one selected by no
 * profile), and access rules scoped by user, group, destination and port. Tests get a fresh copy
 * to mutate.
 */
import { DEFAULT_PAC, type PolicyDocument } from '../../../../../protocol/policy.js';

/** scrypt of "correct horse", N=16384 r=8 p=1, as cloud/portal/crypto/passwords.ts writes it. */
export const HASH = 'scrypt$16384$8$1$MUZoXAy07UEtK1EMtzTz+g==$tMC7b8YNwo3AR5j2nrRPdJhSngvtrP/jZAcm7eZBp90=';

/** A self-signed P-256 root made for these tests. */
export const CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBkzCCATmgAwIBAgIUA+dU4FHm2hCakjAiM0CfQ6x/F8cwCgYIKoZIzj0EAwIw
HzEdMBsGA1UEAwwUV2F5Z2F0ZSBUZXN0IFJvb3QgQ0EwHhcNMjYxMTI2MDg0ODM4
WhcNMzYxMTIzMDg0ODM4WjAfMR0wGwYDVQQDDBRXYXlnYXRlIFRlc3QgUm9vdCBD
QTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABP0O2meu70IBaqcu73qqBKwEI1Dj
7FF8GZn6G08Auo3VhqtzZ6zbn4QlSlJUF8a52L+j32xtHvMMShlsB38lTGmjUzBR
MB0GA1UdDgQWBBT4y1O+sUr+N7GBMFN5Ninzo/HydTAfBgNVHSMEGDAWgBT4y1O+
sUr+N7GBMFN5Ninzo/HydTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gA
MEUCIBW0jINHZGfhn6NTICNp1IvL6BK9ZyNjeQivFDMvJgpqAiEArQy4BLL61Whp
JksqZKcfXK85R+6L2CFgqQn9WUacVq4=
-----END CERTIFICATE-----
`;

/** The SPKI SHA-256 of CA_PEM (openssl … | openssl dgst -sha256). */
export const PIN = 'd9af0ee20960a262f6c89e802dbfe567fa497371d482e40f757f0860f27139e9';

const appDefaults = {
  passwords: { logout: null, disable: null, uninstall: null },
  installCa: false,
  updates: { mode: 'automatic', channel: 'stable' },
  support: { email: 'help@corp.example.com', tickets: true },
  logLevel: 'info',
  configPollSeconds: 600,
} as const;

const SAMPLE: PolicyDocument = {
  schemaVersion: 1,
  ca: CA_PEM,
  appProfiles: [
    {
      ...appDefaults,
      id: 'contractors',
      name: 'Contractors',
      match: { os: [], users: ['eve@contractor.example'], groups: ['contractors'] },
      forwardingProfile: 'strict',
      passwords: { logout: HASH, disable: HASH, uninstall: HASH },
      installCa: true,
      logLevel: 'debug',
    },
    {
      ...appDefaults,
      id: 'engineering-linux',
      name: 'Engineering on Linux',
      match: { os: ['linux'], users: [], groups: ['engineering'] },
      forwardingProfile: 'office',
      passwords: { logout: null, disable: HASH, uninstall: HASH },
    },
    {
      ...appDefaults,
      id: 'staff',
      name: 'Staff on desktops',
      match: { os: ['linux', 'macos', 'windows'], users: [], groups: [] },
      forwardingProfile: 'office',
    },
  ],
  forwardingProfiles: [
    {
      id: 'office',
      name: 'Office',
      trustedNetwork: {
        match: 'any',
        dnsServers: ['10.0.0.53', 'fd00::53'],
        dnsSearchDomains: ['corp.example.com'],
        hostnameResolves: [{ hostname: 'intranet.corp.example.com', ip: '10.0.0.80' }],
        defaultGateways: ['10.0.0.1'],
        networkRanges: ['10.0.0.0/16'],
        beacon: { address: 'beacon.corp.example.com:8443', spkiSha256: PIN },
      },
      actions: {
        trusted: { internet: 'none', privateAccess: 'none' },
        'vpn-trusted': { internet: 'local-proxy', privateAccess: 'tunnel' },
        'off-trusted': { internet: 'enforce-proxy', privateAccess: 'tunnel' },
      },
      captivePortal: { enabled: true, pauseMinutes: 5 },
      failOpen: { enabled: true, afterSeconds: 30 },
      edgeSelection: { strategy: 'ordered', edges: ['eu-1', 'us-1'], recheckSeconds: 300 },
      pac: DEFAULT_PAC,
      include: { domains: [], cidrs: [] },
      exclude: { domains: ['.local', 'zoom.us', '*.zoom.us'], cidrs: ['192.168.0.0/16', 'fe80::/10'] },
      privateDestinations: { domains: ['.corp.example.com'], cidrs: ['10.0.0.0/8'] },
      tunnelRange: '100.64.0.0/16',
      allowUserProxy: true,
    },
    {
      id: 'strict',
      name: 'Strict',
      trustedNetwork: null,
      actions: {
        trusted: { internet: 'tunnel', privateAccess: 'tunnel' },
        'vpn-trusted': { internet: 'tunnel', privateAccess: 'tunnel' },
        'off-trusted': { internet: 'tunnel', privateAccess: 'tunnel' },
      },
      captivePortal: { enabled: true, pauseMinutes: 2 },
      failOpen: { enabled: false, afterSeconds: 0 },
      edgeSelection: { strategy: 'lowest-latency', edges: ['us-1'], recheckSeconds: 120 },
      pac: 'function FindProxyForURL(url, host) {\n  return "${LOCAL_PROXY}";\n}\n',
      include: { domains: ['.example.org'], cidrs: ['203.0.113.0/24'] },
      exclude: { domains: ['status.example.org'], cidrs: [] },
      privateDestinations: { domains: [], cidrs: [] },
      tunnelRange: '100.65.0.0/16',
      allowUserProxy: false,
    },
  ],
  edges: [
    { id: 'eu-1', region: 'eu-west', proxyUrl: 'https://eu-1.edge.example.com:8443', tunnelUrl: 'wss://eu-1.edge.example.com/tunnel/v1' },
    { id: 'us-1', region: 'us-east', proxyUrl: 'https://us-1.edge.example.com', tunnelUrl: 'wss://us-1.edge.example.com:8443/tunnel/v1' },
    { id: 'ap-1', region: 'ap-south', proxyUrl: 'https://[2001:db8::1]:8443', tunnelUrl: 'wss://[2001:db8::1]:8443/tunnel/v1' },
  ],
  access: {
    defaultAction: 'allow',
    rules: [
      { id: 'block-casinos', action: 'block', users: [], groups: [], domains: ['.casino.example'], cidrs: [], ports: [] },
      { id: 'sre-ssh', action: 'allow', users: [], groups: ['sre'], domains: [], cidrs: ['10.20.0.0/16'], ports: [{ from: 22, to: 22 }] },
      {
        id: 'no-remote-shells',
        action: 'block',
        description: 'SSH and RDP into servers only for SRE',
        users: [],
        groups: [],
        domains: ['*.servers.corp.example.com'],
        cidrs: ['10.20.0.0/16'],
        ports: [
          { from: 22, to: 22 },
          { from: 3389, to: 3389 },
        ],
      },
      { id: 'eve-no-dev-ports', action: 'block', users: ['Eve@Contractor.example'], groups: [], domains: [], cidrs: [], ports: [{ from: 8000, to: 8999 }] },
    ],
  },
};

export function samplePolicy(): PolicyDocument {
  return structuredClone(SAMPLE);
}
