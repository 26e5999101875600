/**
 * The policy document (what an admin edits and the portal versions) and the effective config (the
 * part of it one device receives, signed). Outline:
 *
 *   PolicyDocument { schemaVersion: 1, ca, appProfiles[], forwardingProfiles[], edges[], access }
 *     AppProfile        { id, name, match {os[], users[], groups[]}, forwardingProfile → id,
 *                         passwords {logout, disable, uninstall}, installCa, updates, support,
 *                         logLevel, configPollSeconds }
 *     ForwardingProfile { id, name, trustedNetwork, actions {trusted, vpn-trusted, off-trusted},
 *                         captivePortal, failOpen, edgeSelection {edges → ids}, pac, include,
 *                         exclude, privateDestinations, tunnelRange, allowUserProxy }
 *     Edge              { id, region, proxyUrl, tunnelUrl }
 *     access            { defaultAction, rules[] {id, action, users, groups, domains, cidrs, ports} }
 *
 * Objects are strict, so a misspelt field is an error at its path rather than a setting silently
 * ignored; nothing has a default, so the saved document says everything it means. Field checks run
 * first; the cross-reference checks (ids unique, references resolve) run once the shape is right.
 */
import { z } from 'zod';
import { checkDomainPattern, checkHostname } from './hostname.js';
import { parseIp } from './ip.js';
import {
  checkCertificatePem,
  checkCidr,
  checkHostPort,
  checkPasswordHash,
  checkProxyUrl,
  checkSha256Pin,
  checkTunnelRange,
  checkTunnelUrl,
  pacTemplateProblems,
} from './policy-fields.js';

export const POLICY_SCHEMA_VERSION = 1;

/* ───────────────────────────── Field types ───────────────────────────── */

/** A string whose check returns a sentence for the admin, or null when it is fine. */
function checkedString(check: (text: string) => string | null) {
  return z.string().superRefine((text, ctx) => {
    const problem = check(text);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/** Ids are referenced from elsewhere in the document and shown in logs, so they stay plain. */
const Id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'Use 1–63 lowercase letters, digits and hyphens, starting with a letter or digit.');
const Name = z.string().min(1).max(100);
const Email = z.email().max(254);
const GroupName = checkedString((text) =>
  text.length === 0 || text.length > 200 || text.trim() !== text ? 'A group name has 1–200 characters and no spaces at either end.' : null,
);
const IpText = checkedString((text) => (parseIp(text) === null || text.startsWith('[') ? `"${text}" is not an IPv4 or IPv6 address.` : null));
const CidrText = checkedString(checkCidr);
const HostnameText = checkedString(checkHostname);
const DomainPattern = checkedString(checkDomainPattern);
const PasswordHash = checkedString(checkPasswordHash);
const Port = z.number().int().min(1).max(65535);
const intRange = (min: number, max: number) => z.number().int().min(min).max(max);

/** No array in the document needs more; the bound keeps a hostile document from exhausting the portal. */
const list = <T extends z.ZodType>(item: T, max = 10_000) => z.array(item).max(max);

/** Flags the second and later occurrences of a value, at its own index. */
function uniqueList<T extends z.ZodType<string>>(item: T, what: string, max = 10_000) {
  return list(item, max).superRefine((values, ctx) => {
    values.forEach((value, index) => {
      const first = values.indexOf(value);
      if (first !== index) ctx.addIssue({ code: 'custom', path: [index], message: `Duplicate ${what} "${value}" (also at [${first}]).` });
    });
  });
}

/* ───────────────────────────── Enums ───────────────────────────── */

/** Same list as DeviceOs in portal.ts (which imports this module, so it cannot be imported here). */
export const DeviceOs = z.enum(['linux', 'macos', 'windows', 'chromeos']);
export type DeviceOs = z.infer<typeof DeviceOs>;

/** Decided on the device by trusted-network detection; see TrustedNetworkCriteria. */
export const NetworkType = z.enum(['trusted', 'vpn-trusted', 'off-trusted']);
export type NetworkType = z.infer<typeof NetworkType>;

/** What happens to internet traffic: DESIGN.md, "The forwarding model". */
export const InternetAction = z.enum(['tunnel', 'local-proxy', 'enforce-proxy', 'none']);
export type InternetAction = z.infer<typeof InternetAction>;

export const PrivateAccessAction = z.enum(['tunnel', 'none']);
export type PrivateAccessAction = z.infer<typeof PrivateAccessAction>;

export const LogLevel = z.enum(['error', 'warn', 'info', 'debug']);
export type LogLevel = z.infer<typeof LogLevel>;

export const AccessAction = z.enum(['allow', 'block']);
export type AccessAction = z.infer<typeof AccessAction>;

/* ───────────────────────────── App profiles ───────────────────────────── */

/**
 * Who a profile is for. A device matches when its OS is listed (empty: any OS) and its user is
 * listed or is in a listed group (both empty: anyone). Emails compare case-insensitively, group
 * names exactly, as the portal stores them.
 */
export const AppProfileMatch = z.strictObject({
  os: uniqueList(DeviceOs, 'OS', 4),
  users: list(Email),
  groups: list(GroupName),
});
export type AppProfileMatch = z.infer<typeof AppProfileMatch>;

/**
 * Hashes of the passwords a user types to log out, disable protection or uninstall; null means
 * the action needs no password. Only hashes: the schema refuses anything else, so a plain password
 * can neither be saved nor reach a device.
 */
export const AppProfilePasswords = z.strictObject({
  logout: PasswordHash.nullable(),
  disable: PasswordHash.nullable(),
  uninstall: PasswordHash.nullable(),
});
export type AppProfilePasswords = z.infer<typeof AppProfilePasswords>;

/**
 * An ordered rule: the first app profile whose `match` fits a device applies to it (see
 * cloud/portal/policy/match.ts), and names the forwarding profile the device follows.
 */
export const AppProfile = z.strictObject({
  id: Id,
  name: Name,
  match: AppProfileMatch,
  forwardingProfile: Id,
  passwords: AppProfilePasswords,
  /** Install the document's `ca` into the device's trust store (needed when the edge inspects TLS). */
  installCa: z.boolean(),
  updates: z.strictObject({ mode: z.enum(['automatic', 'notify', 'off']), channel: z.enum(['stable', 'beta']) }),
  /** Where users get help: the address the app shows, and whether it may open portal tickets. */
  support: z.strictObject({ email: Email.nullable(), tickets: z.boolean() }),
  logLevel: LogLevel,
  /** How often the device fetches its config; heartbeats also tell it when a new version exists. */
  configPollSeconds: intRange(60, 86_400),
  /**
   * How long protection stays off when a user turns it off, before it turns itself back on.
   * Optional so documents saved before it existed stay valid; absent means DEFAULT_DISABLE_MINUTES.
   */
  disableMinutes: intRange(1, 1_440).optional(),
});
export type AppProfile = z.infer<typeof AppProfile>;

/** How long "turn off" lasts when the app profile does not say. */
export const DEFAULT_DISABLE_MINUTES = 60;

/* ───────────────────────────── Forwarding profiles ───────────────────────────── */

/**
 * The TLS beacon: a host inside the trusted network whose certificate key the device checks. It is
 * the one criterion a hostile network cannot fake, since the others (DNS, gateway, ranges) are
 * whatever the local DHCP server says.
 */
export const TlsBeacon = z.strictObject({
  /** `host:port`, `192.0.2.1:port` or `[2001:db8::1]:port`. */
  address: checkedString(checkHostPort),
  /** SHA-256 of the certificate's SubjectPublicKeyInfo, 64 hex digits (policy-fields.ts). */
  spkiSha256: checkedString(checkSha256Pin),
});
export type TlsBeacon = z.infer<typeof TlsBeacon>;

/**
 * How a device decides it is on the organisation's network. Each non-empty list is one criterion,
 * met when any of its entries holds; `match` says whether any or all criteria must be met. The
 * device reports `trusted` when they are, `vpn-trusted` when they are while a VPN interface carries
 * its default route (the trusted network is reached through a VPN), `off-trusted` otherwise.
 */
export const TrustedNetworkCriteria = z
  .strictObject({
    match: z.enum(['any', 'all']),
    dnsServers: list(IpText, 64),
    dnsSearchDomains: list(HostnameText, 64),
    /** Met when the hostname resolves to the ip (a split-horizon name only the inside resolves). */
    hostnameResolves: list(z.strictObject({ hostname: HostnameText, ip: IpText }), 64),
    defaultGateways: list(IpText, 64),
    /** Met when one of the device's own addresses is inside a range. */
    networkRanges: list(CidrText, 64),
    beacon: TlsBeacon.nullable(),
  })
  .superRefine((criteria, ctx) => {
    const lists = [criteria.dnsServers, criteria.dnsSearchDomains, criteria.hostnameResolves, criteria.defaultGateways, criteria.networkRanges];
    if (lists.every((entries) => entries.length === 0) && criteria.beacon === null) {
      ctx.addIssue({ code: 'custom', message: 'No criteria are set, so no network would ever be trusted; add one, or set trustedNetwork to null.' });
    }
  });
export type TrustedNetworkCriteria = z.infer<typeof TrustedNetworkCriteria>;

export const NetworkAction = z.strictObject({ internet: InternetAction, privateAccess: PrivateAccessAction });
export type NetworkAction = z.infer<typeof NetworkAction>;

/** Destinations by host name (domain patterns, hostname.ts) and by address (CIDRs). */
export const Destinations = z.strictObject({ domains: list(DomainPattern), cidrs: list(CidrText) });
export type Destinations = z.infer<typeof Destinations>;

/**
 * The edges a device may use, in the admin's order. `lowest-latency`: the device probes them all
 * and uses the fastest, the next fastest as secondary. `ordered`: the first reachable one, then the
 * next. Both re-check every `recheckSeconds` and on network change.
 */
export const EdgeSelection = z.strictObject({
  strategy: z.enum(['lowest-latency', 'ordered']),
  edges: uniqueList(Id, 'edge', 64).min(1),
  recheckSeconds: intRange(30, 3_600),
});
export type EdgeSelection = z.infer<typeof EdgeSelection>;

/**
 * A PAC file (at most 256 KiB) with variables the device fills in, each with a complete PAC proxy
 * directive, so the template need not know edge schemes or ports:
 * - `${EDGE}`           the primary edge, `HTTPS host:port` (or `PROXY host:port` for http://);
 * - `${SECONDARY_EDGE}` the secondary edge, or the primary again when there is only one;
 * - `${LOCAL_PROXY}`    the service's local proxy, `PROXY 127.0.0.1:port`.
 */
export const PacTemplate = z
  .string()
  .max(256 * 1024)
  .superRefine((text, ctx) => {
    for (const message of pacTemplateProblems(text)) ctx.addIssue({ code: 'custom', message });
  });

export const ForwardingProfile = z.strictObject({
  id: Id,
  name: Name,
  /** null: the device is always off-trusted. */
  trustedNetwork: TrustedNetworkCriteria.nullable(),
  actions: z.strictObject({ trusted: NetworkAction, 'vpn-trusted': NetworkAction, 'off-trusted': NetworkAction }),
  /** When a captive portal is found, forwarding pauses this long so the user can sign in to it. */
  captivePortal: z.strictObject({ enabled: z.boolean(), pauseMinutes: intRange(1, 60) }),
  /**
   * When no edge is reachable: enabled → traffic goes direct once every edge has been unreachable
   * for `afterSeconds` (a blip does not open the gate); disabled → it is blocked (fail-closed).
   */
  failOpen: z.strictObject({ enabled: z.boolean(), afterSeconds: intRange(0, 3_600) }),
  edgeSelection: EdgeSelection,
  pac: PacTemplate,
  /**
   * Split tunnelling of internet traffic. Exclude wins over include; an include with no entries
   * means everything. Domains match the host name, CIDRs the destination address.
   */
  include: Destinations,
  exclude: Destinations,
  /** Private apps: destinations reached through the tunnel under the private-access action. */
  privateDestinations: Destinations,
  /** The device's tunnel addresses: a /16 of 100.64.0.0/10. */
  tunnelRange: checkedString(checkTunnelRange),
  /** Leave the user's own browser proxy settings alone instead of overriding them. */
  allowUserProxy: z.boolean(),
});
export type ForwardingProfile = z.infer<typeof ForwardingProfile>;

/* ───────────────────────────── Edges ───────────────────────────── */

export const Edge = z.strictObject({
  id: Id,
  /** Where the edge runs, shown to users and admins ("eu-west", "Frankfurt"). */
  region: Name,
  /** https://host:port; http:// only on loopback (policy-fields.ts says why). */
  proxyUrl: checkedString(checkProxyUrl),
  /** wss://host[:port]/path; ws:// only on loopback. */
  tunnelUrl: checkedString(checkTunnelUrl),
});
export type Edge = z.infer<typeof Edge>;

/* ───────────────────────────── Access (enforced by the edge) ───────────────────────────── */

export const PortRange = z
  .strictObject({ from: Port, to: Port })
  .superRefine((range, ctx) => {
    if (range.from > range.to) ctx.addIssue({ code: 'custom', path: ['to'], message: `The range ends (${range.to}) before it starts (${range.from}).` });
  });
export type PortRange = z.infer<typeof PortRange>;

/**
 * One rule; the first that matches a request decides it. A rule matches when its scope fits the
 * user (users and groups both empty: everyone; otherwise the user is listed or in a listed group),
 * the destination fits (domains and cidrs both empty: any; otherwise the host name matches a domain
 * or the address is in a CIDR) and the port fits (ports empty: any).
 */
export const AccessRule = z.strictObject({
  id: Id,
  action: AccessAction,
  description: z.string().max(500).optional(),
  users: list(Email),
  groups: list(GroupName),
  domains: list(DomainPattern),
  cidrs: list(CidrText),
  ports: list(PortRange, 64),
});
export type AccessRule = z.infer<typeof AccessRule>;

export const AccessPolicy = z.strictObject({
  /** For requests no rule matches. */
  defaultAction: AccessAction,
  rules: list(AccessRule),
});
export type AccessPolicy = z.infer<typeof AccessPolicy>;

/* ───────────────────────────── The document ───────────────────────────── */

type Issue = { path: (string | number)[]; message: string };

/** Second and later uses of an id, each at its own `…[i].id`. */
function duplicateIds(items: readonly { id: string }[], at: readonly string[], what: string): Issue[] {
  const seen = new Map<string, number>();
  const issues: Issue[] = [];
  items.forEach((item, index) => {
    const first = seen.get(item.id);
    if (first === undefined) seen.set(item.id, index);
    else issues.push({ path: [...at, index, 'id'], message: `Duplicate ${what} id "${item.id}" (also ${at.join('.')}[${first}].id).` });
  });
  return issues;
}

function known(ids: Iterable<string>): string {
  const quoted = [...ids].map((id) => `"${id}"`);
  return quoted.length > 0 ? quoted.join(', ') : 'none';
}

/** The document's fields as referenceIssues reads them: the inferred type cannot appear in its own refinement. */
interface DocumentShape {
  ca: string | null;
  appProfiles: readonly AppProfile[];
  forwardingProfiles: readonly ForwardingProfile[];
  edges: readonly Edge[];
  access: AccessPolicy;
}

/** Every id unique per kind, every reference resolved, the CA present where it is installed. */
function referenceIssues(doc: DocumentShape): Issue[] {
  const issues = [
    ...duplicateIds(doc.appProfiles, ['appProfiles'], 'app profile'),
    ...duplicateIds(doc.forwardingProfiles, ['forwardingProfiles'], 'forwarding profile'),
    ...duplicateIds(doc.edges, ['edges'], 'edge'),
    ...duplicateIds(doc.access.rules, ['access', 'rules'], 'access rule'),
  ];

  const profileIds = new Set(doc.forwardingProfiles.map((profile) => profile.id));
  const edgeIds = new Set(doc.edges.map((edge) => edge.id));
  doc.appProfiles.forEach((app, index) => {
    if (!profileIds.has(app.forwardingProfile)) {
      issues.push({
        path: ['appProfiles', index, 'forwardingProfile'],
        message: `No forwarding profile has id "${app.forwardingProfile}"; the ids are ${known(profileIds)}.`,
      });
    }
    if (app.installCa && doc.ca === null) {
      issues.push({ path: ['appProfiles', index, 'installCa'], message: 'installCa is on, but the policy has no ca certificate to install; add ca or turn this off.' });
    }
  });
  doc.forwardingProfiles.forEach((profile, index) => {
    profile.edgeSelection.edges.forEach((edgeId, edgeIndex) => {
      if (!edgeIds.has(edgeId)) {
        issues.push({
          path: ['forwardingProfiles', index, 'edgeSelection', 'edges', edgeIndex],
          message: `No edge has id "${edgeId}"; the ids are ${known(edgeIds)}.`,
        });
      }
    });
  });
  return issues;
}

export const PolicyDocument = z
  .strictObject({
    schemaVersion: z.literal(POLICY_SCHEMA_VERSION, { error: `schemaVersion must be ${POLICY_SCHEMA_VERSION}, the version this portal reads.` }),
    /** The root the edge signs inspected TLS with, PEM; installed where an app profile says installCa. */
    ca: checkedString(checkCertificatePem).nullable(),
    appProfiles: list(AppProfile, 1_000).min(1, 'Add at least one app profile: without one no device gets a config.'),
    forwardingProfiles: list(ForwardingProfile, 1_000).min(1, 'Add at least one forwarding profile.'),
    edges: list(Edge, 1_000).min(1, 'Add at least one edge.'),
    access: AccessPolicy,
  })
  .superRefine((doc, ctx) => {
    for (const issue of referenceIssues(doc)) ctx.addIssue({ code: 'custom', ...issue });
  });
export type PolicyDocument = z.infer<typeof PolicyDocument>;

/** The name the portal's code uses for the document. */
export const Policy = PolicyDocument;
export type Policy = PolicyDocument;

/* ───────────────────────────── What one device receives ───────────────────────────── */

/** The device's app profile without `match`: who else a profile is for is none of its business. */
export const EffectiveAppProfile = AppProfile.omit({ match: true });
export type EffectiveAppProfile = z.infer<typeof EffectiveAppProfile>;

/** The forwarding profile without `pac`, which the config carries once, at its top level. */
export const EffectiveForwardingProfile = ForwardingProfile.omit({ pac: true });
export type EffectiveForwardingProfile = z.infer<typeof EffectiveForwardingProfile>;

/**
 * The config one device gets (signed by the portal, protocol/portal.ts): its app profile, its
 * forwarding profile, only the edges that profile selects (in selection order), its PAC template
 * with the variables unresolved, and the CA only when its profile installs one. Never other
 * profiles, other users' names, access rules or anything but password hashes.
 */
export const EffectiveConfig = z
  .strictObject({
    schemaVersion: z.literal(POLICY_SCHEMA_VERSION),
    policyVersion: z.number().int().positive(),
    orgId: z.string().min(1),
    deviceId: z.string().min(1),
    appProfile: EffectiveAppProfile,
    forwardingProfile: EffectiveForwardingProfile,
    edges: list(Edge, 64).min(1),
    pac: PacTemplate,
    ca: checkedString(checkCertificatePem).nullable(),
    /** Milliseconds since the epoch. */
    issuedAt: z.number().int().nonnegative(),
  })
  .superRefine((config, ctx) => {
    if (config.appProfile.forwardingProfile !== config.forwardingProfile.id) {
      ctx.addIssue({ code: 'custom', path: ['appProfile', 'forwardingProfile'], message: 'The app profile names a different forwarding profile than the one sent.' });
    }
    const edgeIds = config.edges.map((edge) => edge.id);
    const selected = config.forwardingProfile.edgeSelection.edges;
    if (edgeIds.length !== selected.length || selected.some((id, index) => edgeIds[index] !== id)) {
      ctx.addIssue({ code: 'custom', path: ['edges'], message: 'The edges must be exactly those of edgeSelection, in its order.' });
    }
  });
export type EffectiveConfig = z.infer<typeof EffectiveConfig>;

/* ───────────────────────────── The simulator's answer ───────────────────────────── */

/**
 * POST /api/v1/admin/policy/simulate → what the policy does for one person, device, network and
 * URL, and why (cloud/portal/policy/simulate.ts). Fields are null when no app profile applies.
 */
export const SimulationResult = z.strictObject({
  appProfile: z.strictObject({ id: z.string(), name: z.string(), index: z.number().int().nonnegative() }).nullable(),
  forwardingProfile: z.strictObject({ id: z.string(), name: z.string() }).nullable(),
  networkType: NetworkType,
  /** Whether the URL is one of the forwarding profile's private destinations. */
  destination: z.enum(['internet', 'private']).nullable(),
  internetAction: InternetAction.nullable(),
  privateAccess: PrivateAccessAction.nullable(),
  /** The edges the request would use; null when it does not reach an edge. */
  edge: z.strictObject({ primary: Edge, secondary: Edge.nullable() }).nullable(),
  /** Internet traffic left out of forwarding by the include/exclude lists. */
  bypassed: z.boolean().nullable(),
  /** What the edge's access policy says; `enforced` is false when the request never reaches an edge. */
  accessDecision: z.strictObject({ action: AccessAction, ruleId: z.string().nullable(), enforced: z.boolean() }),
  reasons: z.array(z.string()),
});
export type SimulationResult = z.infer<typeof SimulationResult>;

/* ───────────────────────────── The demo org's first policy ───────────────────────────── */

/** Addresses that are never the internet: loopback, private, link-local, unique-local. */
const LOCAL_CIDRS = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '::1/128', 'fc00::/7', 'fe80::/10'];

/** Sends everything but local names and literal private addresses to the edges. */
export const DEFAULT_PAC = `function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || host === "localhost" || dnsDomainIs(host, ".local")) return "DIRECT";
  if (/^\\d+\\.\\d+\\.\\d+\\.\\d+$/.test(host) &&
      (isInNet(host, "10.0.0.0", "255.0.0.0") || isInNet(host, "172.16.0.0", "255.240.0.0") ||
       isInNet(host, "192.168.0.0", "255.255.0.0") || isInNet(host, "127.0.0.0", "255.0.0.0"))) return "DIRECT";
  return "\${EDGE}; \${SECONDARY_EDGE}";
}
`;

/**
 * Everyone is protected off the corporate network by the PAC pointing at the local demo edge; on a
 * trusted network nothing is forwarded (no network is trusted until an admin defines one). No
 * passwords, no CA, fail-closed: the safe choices, which an admin relaxes deliberately.
 */
export const DEFAULT_POLICY: PolicyDocument = {
  schemaVersion: POLICY_SCHEMA_VERSION,
  ca: null,
  appProfiles: [
    {
      id: 'everyone',
      name: 'Everyone',
      match: { os: [], users: [], groups: [] },
      forwardingProfile: 'default',
      passwords: { logout: null, disable: null, uninstall: null },
      installCa: false,
      updates: { mode: 'notify', channel: 'stable' },
      support: { email: null, tickets: true },
      logLevel: 'info',
      configPollSeconds: 900,
      disableMinutes: DEFAULT_DISABLE_MINUTES,
    },
  ],
  forwardingProfiles: [
    {
      id: 'default',
      name: 'Default',
      trustedNetwork: null,
      actions: {
        trusted: { internet: 'none', privateAccess: 'none' },
        'vpn-trusted': { internet: 'none', privateAccess: 'none' },
        'off-trusted': { internet: 'enforce-proxy', privateAccess: 'none' },
      },
      captivePortal: { enabled: true, pauseMinutes: 10 },
      failOpen: { enabled: false, afterSeconds: 0 },
      edgeSelection: { strategy: 'lowest-latency', edges: ['local'], recheckSeconds: 300 },
      pac: DEFAULT_PAC,
      include: { domains: [], cidrs: [] },
      exclude: { domains: ['localhost', '.local'], cidrs: LOCAL_CIDRS },
      privateDestinations: { domains: [], cidrs: [] },
      tunnelRange: '100.64.0.0/16',
      allowUserProxy: false,
    },
  ],
  edges: [{ id: 'local', region: 'local', proxyUrl: 'http://127.0.0.1:8443', tunnelUrl: 'ws://127.0.0.1:8443/tunnel/v1' }],
  access: { defaultAction: 'allow', rules: [] },
};
