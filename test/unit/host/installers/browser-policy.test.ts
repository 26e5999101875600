import { describe, expect, it } from 'vitest';
import { WaygateError } from '../../../../protocol/errors.js';
import { ManagedConfig } from '../../../../protocol/managed-config.js';
import {
  CHROME_WEB_STORE_UPDATE_URL,
  chromiumPolicy,
  encodeRegFile,
  linuxPolicyFiles,
  macMobileconfig,
  renderChromiumPolicy,
  windowsRegFile,
  type PolicyInputs,
} from '../../../../host/installers/browser-policy.js';
import { EXTENSION_ID } from './fixtures.js';

/** Visible ASCII the token may hold that XML and .reg must escape. */
const AWKWARD_TOKEN = 'wge_a"b\\c<d>&e\'f';
const SELF_HOSTED = 'https://crx.example.com/update.xml?channel=stable&arch=x64';

const inputs: PolicyInputs = {
  extensionId: EXTENSION_ID,
  updateUrl: CHROME_WEB_STORE_UPDATE_URL,
  managed: ManagedConfig.parse({
    portalUrl: 'https://portal.example.com',
    enrollmentToken: 'wge_token',
    userEmail: 'ada@example.com',
    lockPortalUrl: true,
  }),
};
const awkward: PolicyInputs = {
  ...inputs,
  updateUrl: SELF_HOSTED,
  managed: { ...inputs.managed, enrollmentToken: AWKWARD_TOKEN, allowSignOut: false },
};

describe('chromiumPolicy', () => {
  it('force-installs the extension and carries the managed config under 3rdparty', () => {
    expect(chromiumPolicy(inputs)).toEqual({
      ExtensionSettings: { [EXTENSION_ID]: { installation_mode: 'force_installed', update_url: CHROME_WEB_STORE_UPDATE_URL } },
      '3rdparty': {
        extensions: {
          [EXTENSION_ID]: { portalUrl: 'https://portal.example.com', enrollmentToken: 'wge_token', userEmail: 'ada@example.com', lockPortalUrl: true },
        },
      },
    });
  });

  it('lists only the settings given, and renders as JSON that reads back the same', () => {
    const minimal = { ...inputs, managed: { portalUrl: 'https://portal.example.com', userEmail: undefined } };
    expect(chromiumPolicy(minimal)['3rdparty'].extensions[EXTENSION_ID]).toEqual({ portalUrl: 'https://portal.example.com' });
    expect(JSON.parse(renderChromiumPolicy(awkward))).toEqual(chromiumPolicy(awkward));
  });
});

describe('linuxPolicyFiles', () => {
  it('puts waygate.json in each browser’s managed directory, under the root', () => {
    expect(linuxPolicyFiles(['chrome', 'chromium', 'edge', 'brave'])).toEqual([
      { browser: 'chrome', path: '/etc/opt/chrome/policies/managed/waygate.json' },
      { browser: 'chromium', path: '/etc/chromium/policies/managed/waygate.json' },
      { browser: 'edge', path: '/etc/opt/edge/policies/managed/waygate.json' },
      { browser: 'brave', path: '/etc/brave/policies/managed/waygate.json' },
    ]);
    expect(linuxPolicyFiles(['edge', 'edge'], '/tmp/image')).toEqual([
      { browser: 'edge', path: '/tmp/image/etc/opt/edge/policies/managed/waygate.json' },
    ]);
  });
});

describe('macMobileconfig', () => {
  const sequentialUuids = () => {
    let n = 0;
    return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  };

  it('is a well-formed plist: a Configuration profile with a Chrome payload and the extension’s payload', () => {
    const profile = asDict(parsePlist(macMobileconfig({ ...awkward, uuid: sequentialUuids(), organization: 'Example & Co' })));
    expect(profile).toMatchObject({
      PayloadType: 'Configuration',
      PayloadVersion: 1,
      PayloadScope: 'System',
      PayloadOrganization: 'Example & Co',
      PayloadUUID: '00000000-0000-4000-8000-000000000003',
    });
    const [chrome, extension, ...rest] = asArray(profile.PayloadContent).map(asDict);
    expect(rest).toEqual([]);
    expect(chrome).toMatchObject({
      PayloadType: 'com.google.Chrome',
      PayloadEnabled: true,
      ExtensionSettings: { [EXTENSION_ID]: { installation_mode: 'force_installed', update_url: SELF_HOSTED } },
    });
    expect(extension).toMatchObject({
      PayloadType: `com.google.Chrome.extensions.${EXTENSION_ID}`,
      portalUrl: 'https://portal.example.com',
      enrollmentToken: AWKWARD_TOKEN,
      userEmail: 'ada@example.com',
      lockPortalUrl: true,
      allowSignOut: false,
    });
    expect(new Set([profile.PayloadIdentifier, chrome?.PayloadIdentifier, extension?.PayloadIdentifier]).size).toBe(3);
  });

  it('gives every payload its own UUID by default', () => {
    const xml = macMobileconfig(inputs);
    const uuids = [...xml.matchAll(/<key>PayloadUUID<\/key>\s*<string>([^<]+)<\/string>/g)].map((m) => m[1]);
    expect(uuids).toHaveLength(3);
    expect(new Set(uuids).size).toBe(3);
    for (const uuid of uuids) expect(uuid).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
  });

  it('escapes XML specials and refuses control characters', () => {
    const xml = macMobileconfig(awkward);
    expect(xml).toContain('<string>wge_a&quot;b\\c&lt;d&gt;&amp;e&apos;f</string>');
    expect(xml).toContain('update.xml?channel=stable&amp;arch=x64');
    expect(() => macMobileconfig({ ...inputs, managed: { ...inputs.managed, enrollmentToken: 'a\u0001b' } })).toThrow(WaygateError);
  });
});

describe('windowsRegFile', () => {
  const text = windowsRegFile(awkward);
  const lines = text.split('\r\n');

  it('is a Version 5.00 file with CRLF line ends, encoded as UTF-16LE with a BOM', () => {
    expect(lines[0]).toBe('Windows Registry Editor Version 5.00');
    expect(text.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    const bytes = encodeRegFile(text);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(bytes.subarray(2).toString('utf16le')).toBe(text);
  });

  it('sets ExtensionSettings as escaped JSON and the managed values for Chrome and for Edge', () => {
    for (const root of ['SOFTWARE\\Policies\\Google\\Chrome', 'SOFTWARE\\Policies\\Microsoft\\Edge']) {
      const settings = section(lines, `[HKEY_LOCAL_MACHINE\\${root}]`);
      expect(settings).toHaveLength(1);
      const match = /^"ExtensionSettings"="(.*)"$/.exec(settings[0] ?? '');
      expect(JSON.parse(unescapeReg(match?.[1] ?? ''))).toEqual(chromiumPolicy(awkward).ExtensionSettings);

      expect(section(lines, `[HKEY_LOCAL_MACHINE\\${root}\\3rdparty\\extensions\\${EXTENSION_ID}\\policy]`)).toEqual([
        '"portalUrl"="https://portal.example.com"',
        '"enrollmentToken"="wge_a\\"b\\\\c<d>&e\'f"',
        '"userEmail"="ada@example.com"',
        '"lockPortalUrl"=dword:00000001',
        '"allowSignOut"=dword:00000000',
      ]);
    }
  });
});

/** The value lines of one `[key]` section of a .reg file. */
function section(lines: readonly string[], header: string): string[] {
  const start = lines.indexOf(header);
  expect(start).toBeGreaterThan(0);
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end);
}

function unescapeReg(value: string): string {
  return value.replace(/\\(["\\])/g, '$1');
}

type Plist = string | number | boolean | Plist[] | { [key: string]: Plist };

function asDict(value: Plist | undefined): { [key: string]: Plist } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a dict');
  return value;
}

function asArray(value: Plist | undefined): Plist[] {
  if (!Array.isArray(value)) throw new Error('expected an array');
  return value;
}

/**
 * A strict reader for the XML plist subset the builder emits (dict, array, string, integer, true,
 * false): it throws on anything else, on unbalanced tags and on a stray `&`, so a pass means the
 * profile is well-formed and says what we meant.
 */
function parsePlist(xml: string): Plist {
  const prologue = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE plist PUBLIC "-\/\/Apple\/\/DTD PLIST 1\.0\/\/EN" "http:\/\/www\.apple\.com\/DTDs\/PropertyList-1\.0\.dtd">\n<plist version="1\.0">\n/;
  if (!prologue.test(xml) || !xml.endsWith('</plist>\n')) throw new Error('bad plist envelope');
  const body = xml.replace(prologue, '').slice(0, -'</plist>\n'.length);
  const tokens = (body.match(/<[^>]*>|[^<]+/g) ?? []).filter((token) => token.startsWith('<') || token.trim() !== '');
  let at = 0;
  const next = (): string => {
    const token = tokens[at++];
    if (token === undefined) throw new Error('unexpected end of plist');
    return token;
  };
  const expectToken = (want: string) => {
    const got = next();
    if (got !== want) throw new Error(`expected ${want}, got ${got}`);
  };
  const text = (close: string): string => {
    const token = next();
    if (token === close) return '';
    expectToken(close);
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(token)) throw new Error(`stray & in ${token}`);
    return token.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&amp;', '&');
  };
  const value = (): Plist => {
    const tag = next();
    switch (tag) {
      case '<true/>':
        return true;
      case '<false/>':
        return false;
      case '<string>':
        return text('</string>');
      case '<integer>':
        return Number.parseInt(text('</integer>'), 10);
      case '<array>': {
        const items: Plist[] = [];
        while (tokens[at] !== '</array>') items.push(value());
        at++;
        return items;
      }
      case '<dict>': {
        const dict: { [key: string]: Plist } = {};
        while (tokens[at] !== '</dict>') {
          expectToken('<key>');
          const key = text('</key>');
          if (key in dict) throw new Error(`duplicate key ${key}`);
          dict[key] = value();
        }
        at++;
        return dict;
      }
      default:
        throw new Error(`unexpected ${tag}`);
    }
  };
  const root = value();
  if (at !== tokens.length) throw new Error('trailing content after the root value');
  return root;
}
