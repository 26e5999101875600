import { describe, expect, it } from 'vitest';
import {
  checkCertificatePem,
  checkPasswordHash,
  checkProxyUrl,
  checkSha256Pin,
  checkTunnelRange,
  checkTunnelUrl,
  pacTemplateProblems,
} from '../../../protocol/policy-fields.js';
import { CA_PEM, HASH, PIN } from '../cloud/portal/policy/sample-policy.js';

describe('edge URLs', () => {
  it.each(['https://edge.example.com', 'https://edge.example.com:8443/', 'http://127.0.0.1:8443', 'http://localhost:8080', 'http://[::1]:8443', 'https://[2001:db8::1]:443'])(
    'accepts the proxy URL %s',
    (url) => expect(checkProxyUrl(url)).toBeNull(),
  );

  it.each([
    ['edge.example.com:443', 'scheme must be https://'],
    ['socks5://edge.example.com:1080', 'not socks5://'],
    ['http://edge.example.com', 'in the clear'],
    ['http://10.0.0.1:8080', 'in the clear'],
    ['https://edge.example.com/proxy', 'has no path'],
    ['https://edge.example.com/?token=x', 'Remove the ?query'],
    ['https://edge.example.com/#x', 'Remove the #fragment'],
    ['https://u:p@edge.example.com', 'Remove the user name and password'],
    ['https://bad_host.example.com', 'is not a valid label'],
    ['not a url', 'Not a URL'],
  ])('refuses the proxy URL %j', (url, message) => expect(checkProxyUrl(url)).toContain(message));

  it.each(['wss://edge.example.com/tunnel/v1', 'wss://edge.example.com:8443/t', 'ws://127.0.0.1:8443/tunnel/v1', 'ws://localhost/tunnel/v1'])('accepts the tunnel URL %s', (url) =>
    expect(checkTunnelUrl(url)).toBeNull(),
  );

  it.each([
    ['ws://edge.example.com/tunnel/v1', 'in the clear'],
    ['https://edge.example.com/tunnel/v1', 'must be wss://'],
    ['wss://edge.example.com/tunnel/v1?token=abc', 'Remove the ?query'],
  ])('refuses the tunnel URL %j', (url, message) => expect(checkTunnelUrl(url)).toContain(message));
});

describe('checkTunnelRange', () => {
  it.each(['100.64.0.0/16', '100.83.0.0/16', '100.127.0.0/16'])('accepts %s', (range) => expect(checkTunnelRange(range)).toBeNull());
  it.each([
    ['100.64.0.0/10', 'IPv4 /16'],
    ['100.64.1.0/16', 'did you mean 100.64.0.0/16?'],
    ['100.63.0.0/16', 'inside 100.64.0.0/10'],
    ['172.16.0.0/16', 'inside 100.64.0.0/10'],
    ['fd00::/16', 'IPv4 /16'],
  ])('refuses %s', (range, message) => expect(checkTunnelRange(range)).toContain(message));
});

describe('checkSha256Pin', () => {
  it('accepts 64 hex digits in either case', () => {
    expect(checkSha256Pin(PIN)).toBeNull();
    expect(checkSha256Pin(PIN.toUpperCase())).toBeNull();
  });

  it('refuses other encodings with a hint', () => {
    expect(checkSha256Pin(PIN.match(/../g)!.join(':'))).toContain('without colons');
    expect(checkSha256Pin('2a/Xe4JZnzOHrsoSh7j9LETQeZsGhvdt1qB7ZynbKuA=')).toContain('64 hex digits');
    expect(checkSha256Pin(PIN.slice(2))).toContain('64 hex digits');
  });
});

describe('checkPasswordHash', () => {
  it('accepts the format the portal writes', () => expect(checkPasswordHash(HASH)).toBeNull());

  const [salt, hash] = HASH.split('$').slice(4);
  it.each([
    ['correct horse', 'never the password itself'],
    [`bcrypt$16384$8$1$${salt}$${hash}`, 'never the password itself'],
    [`scrypt$16384$8$${salt}$${hash}`, 'never the password itself'],
    [`scrypt$16000$8$1$${salt}$${hash}`, 'power of two'],
    [`scrypt$2097152$8$1$${salt}$${hash}`, 'power of two'],
    [`scrypt$16384$33$1$${salt}$${hash}`, 'r must be'],
    [`scrypt$16384$8$17$${salt}$${hash}`, 'p must be'],
    [`scrypt$1048576$8$1$${salt}$${hash}`, '256 MiB'],
    [`scrypt$16384$8$1$c2FsdA==$${hash}`, 'at least 16 bytes'],
    [`scrypt$16384$8$1$${salt}$${hash?.replace('=', '')}`, '32 bytes'],
  ])('refuses %j', (text, message) => expect(checkPasswordHash(text)).toContain(message));
});

describe('checkCertificatePem', () => {
  it('accepts one certificate, with LF or CRLF line ends', () => {
    expect(checkCertificatePem(CA_PEM)).toBeNull();
    expect(checkCertificatePem(CA_PEM.replace(/\n/g, '\r\n'))).toBeNull();
  });

  it('refuses anything else', () => {
    expect(checkCertificatePem(CA_PEM + CA_PEM)).toContain('one PEM certificate');
    expect(checkCertificatePem(CA_PEM.replace(/CERTIFICATE/g, 'PRIVATE KEY'))).toContain('one PEM certificate');
    expect(checkCertificatePem('-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n')).toContain('not the base64 of a DER certificate');
  });
});

describe('pacTemplateProblems', () => {
  const wrap = (body: string) => `function FindProxyForURL(url, host) {\n${body}\n}`;

  it('accepts the three variables and PAC text without any', () => {
    expect(pacTemplateProblems(wrap('  return "${EDGE}; ${SECONDARY_EDGE}; ${LOCAL_PROXY}; DIRECT";'))).toEqual([]);
    expect(pacTemplateProblems(wrap('  return "DIRECT";'))).toEqual([]);
  });

  it('reports every unknown or unclosed variable with its line', () => {
    expect(pacTemplateProblems(wrap('  var a = "${edge}";\n  return "${EDGE} ${";'))).toEqual([
      'Line 2: unknown variable ${edge}; the device fills in only ${EDGE}, ${SECONDARY_EDGE}, ${LOCAL_PROXY}.',
      'Line 3: "${" is not closed by "}" on the same line; the variables are ${EDGE}, ${SECONDARY_EDGE}, ${LOCAL_PROXY}.',
    ]);
  });

  it('needs FindProxyForURL', () => {
    expect(pacTemplateProblems('return "${EDGE}";')).toEqual(['A PAC file must define function FindProxyForURL(url, host).']);
  });
});
