/**
 * Checks for the policy document's text fields that need more than a regex: edge URLs, the tunnel
 * range, pins, password hashes, the CA certificate and PAC templates. Each returns a sentence for
 * the admin, shown next to the field, or null when the text is fine. Pure and Node-free, because
 * the admin UI runs them too.
 */
import { checkHost, parseHostPort } from './hostname.js';
import { cidrWithin, isLoopbackHost, parseCidr } from './ip.js';

/** The variables a device fills into a PAC template; see PacTemplate in policy.ts. */
export const PAC_VARIABLES = ['EDGE', 'SECONDARY_EDGE', 'LOCAL_PROXY'] as const;

/** RFC 6598 shared address space: never routed on the internet, rarely used on LANs. */
const TUNNEL_SPACE = parseCidr('100.64.0.0/10');

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** Problems every edge URL shares: credentials and fragments have no place in it. */
function urlProblem(url: URL): string | null {
  if (url.username !== '' || url.password !== '') return 'Remove the user name and password: devices authenticate to the edge with their own tokens.';
  if (url.hash !== '') return 'Remove the #fragment.';
  if (url.search !== '') return 'Remove the ?query: tokens and options do not belong in an edge URL.';
  return checkHost(url.hostname);
}

/**
 * https:// anywhere; http:// only to a loopback address (a local or test edge), because devices
 * send their edge token in Proxy-Authorization and plain HTTP would hand it to the network.
 */
export function checkProxyUrl(text: string): string | null {
  const url = parseUrl(text);
  if (url === null) return `Not a URL; expected https://host:port.`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `The scheme must be https:// (or http:// for a loopback edge), not ${url.protocol}//.`;
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return 'http:// would send device tokens in the clear; use https:// (http:// is allowed only for loopback addresses such as 127.0.0.1).';
  }
  if (url.pathname !== '/') return 'A proxy URL has no path: write it as scheme://host:port.';
  return urlProblem(url);
}

/** wss:// anywhere; ws:// only to a loopback address, for the same reason as checkProxyUrl. */
export function checkTunnelUrl(text: string): string | null {
  const url = parseUrl(text);
  if (url === null) return 'Not a URL; expected wss://host[:port]/path.';
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') return `The scheme must be wss:// (or ws:// for a loopback edge), not ${url.protocol}//.`;
  if (url.protocol === 'ws:' && !isLoopbackHost(url.hostname)) {
    return 'ws:// would carry the tunnel and its token in the clear; use wss:// (ws:// is allowed only for loopback addresses such as 127.0.0.1).';
  }
  return urlProblem(url);
}

/** A /16 of 100.64.0.0/10: the service steps to the next free /16 when it clashes with the device. */
export function checkTunnelRange(text: string): string | null {
  const parsed = parseCidr(text);
  if (!parsed.ok) return parsed.message;
  if (parsed.cidr.version !== 'ipv4' || parsed.cidr.prefix !== 16) return 'The tunnel range must be an IPv4 /16, like 100.64.0.0/16.';
  if (!TUNNEL_SPACE.ok || !cidrWithin(parsed.cidr, TUNNEL_SPACE.cidr)) return 'The tunnel range must lie inside 100.64.0.0/10 (100.64.0.0/16 to 100.127.0.0/16).';
  return null;
}

export function checkCidr(text: string): string | null {
  const parsed = parseCidr(text);
  return parsed.ok ? null : parsed.message;
}

export function checkHostPort(text: string): string | null {
  const parsed = parseHostPort(text);
  return parsed.ok ? null : parsed.message;
}

/**
 * A pin is the SHA-256 of the beacon certificate's SubjectPublicKeyInfo (DER) as 64 hex digits:
 * pinning the key rather than the certificate survives renewal with the same key. Get it with
 * `openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256`.
 */
export function checkSha256Pin(text: string): string | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return null;
  if (/^([0-9a-fA-F]{2}:){31}[0-9a-fA-F]{2}$/.test(text)) return 'Write the pin as 64 hex digits without colons.';
  return 'Expected the SHA-256 of the certificate public key (SPKI) as 64 hex digits.';
}

/** Decoded length of canonical, padded base64, or null when the text is not that. */
function base64Length(text: string): number | null {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  return (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
}

/**
 * `scrypt$N$r$p$salt$hash`, salt and hash in padded base64, as cloud/portal/crypto/passwords.ts
 * writes it. Devices verify these offline, so the cost is bounded by what a modest laptop can
 * afford (128·N·r bytes of memory, at most 256 MiB) as well as bounded below for strength.
 */
export function checkPasswordHash(text: string): string | null {
  const format = 'Expected a password hash scrypt$N$r$p$salt$hash (base64), never the password itself.';
  const parts = text.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return format;
  const [, nText = '', rText = '', pText = '', salt = '', hash = ''] = parts;
  if (![nText, rText, pText].every((part) => /^[1-9][0-9]{0,9}$/.test(part))) return format;
  const [n, r, p] = [Number(nText), Number(rText), Number(pText)];
  if (n < 2 ** 14 || n > 2 ** 20 || (n & (n - 1)) !== 0) return 'scrypt N must be a power of two from 16384 to 1048576.';
  if (r > 32) return 'scrypt r must be from 1 to 32.';
  if (p > 16) return 'scrypt p must be from 1 to 16.';
  if (128 * n * r > 256 * 1024 * 1024) return 'scrypt N and r together need more than 256 MiB (128·N·r) for a device to verify.';
  const saltBytes = base64Length(salt);
  if (saltBytes === null || saltBytes < 16) return 'The salt must be at least 16 bytes in base64.';
  if (base64Length(hash) !== 32) return 'The hash must be 32 bytes in base64.';
  return null;
}

/** One X.509 certificate in PEM; a chain is not accepted because devices install exactly one root. */
export function checkCertificatePem(text: string): string | null {
  const match = /^-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n-----END CERTIFICATE-----\r?\n?$/.exec(text);
  if (!match) return 'Expected one PEM certificate: -----BEGIN CERTIFICATE-----, base64 lines, -----END CERTIFICATE-----.';
  const body = (match[1] ?? '').replace(/\r?\n/g, '');
  const bytes = base64Length(body);
  // A DER certificate is a SEQUENCE (0x30) of at least a few hundred bytes; base64 "MI" encodes 0x30 0x8x.
  if (bytes === null || bytes < 100 || !body.startsWith('MI')) return 'The PEM body is not the base64 of a DER certificate.';
  return null;
}

/** Every `${…}` in a PAC template must be one of PAC_VARIABLES; a stray `${` is an error too. */
export function pacTemplateProblems(text: string): string[] {
  const problems: string[] = [];
  if (!/\bfunction\s+FindProxyForURL\s*\(/.test(text)) problems.push('A PAC file must define function FindProxyForURL(url, host).');
  const known: readonly string[] = PAC_VARIABLES;
  const allowed = PAC_VARIABLES.map((name) => `\${${name}}`).join(', ');
  for (let at = text.indexOf('${'); at !== -1; at = text.indexOf('${', at + 2)) {
    const line = text.slice(0, at).split('\n').length;
    const close = text.indexOf('}', at);
    const newline = text.indexOf('\n', at);
    if (close === -1 || (newline !== -1 && newline < close)) {
      problems.push(`Line ${line}: "\${" is not closed by "}" on the same line; the variables are ${allowed}.`);
      continue;
    }
    const name = text.slice(at + 2, close);
    if (!known.includes(name)) problems.push(`Line ${line}: unknown variable \${${name}}; the device fills in only ${allowed}.`);
  }
  return problems;
}
