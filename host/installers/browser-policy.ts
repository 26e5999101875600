/**
 * Enterprise browser policy that force-installs the Waygate extension and hands it its managed
 * configuration, rendered for each way an organisation distributes policy: a JSON file per browser
 * on Linux, a configuration profile (.mobileconfig) on macOS, a .reg file on Windows. Pure: options
 * in, text out; browser-policy-files.ts puts it on disk.
 *
 * Sources:
 * - Linux directories: Chromium `docs/enterprise/policies.md` ("/etc/chromium/policies for Chromium
 *   builds, /etc/opt/chrome/policies/ for official Chrome builds", `managed/` for mandatory policy);
 *   Chrome Browser quick start (Linux), support.google.com/chrome/a/answer/9027408. Edge:
 *   /etc/opt/edge/policies/managed/ — not found in Microsoft's docs; it is what admins' scripts use
 *   (e.g. gist richardnfag/16c6cd34 "Apply Edge Policies in Linux") and follows Chrome's
 *   `/etc/opt/<brand>` layout. Brave: /etc/brave/policies/managed/ (Brave help center "Group
 *   Policy", support.brave.app article 360039248271; brave-core sets /etc/brave/policies for every
 *   Linux build, per the SlimBrave-Neo v2.3.1 notes).
 * - `3rdparty.extensions.<id>` in a Linux policy file is the extension's managed storage: Chromium
 *   `config_dir_policy_loader.cc` (`Merge3rdPartyPolicy`, domain "extensions").
 * - Windows: `<policy key>\3rdparty\extensions\<id>\policy` holds the extension's mandatory
 *   managed storage (Chromium `policy_loader_win.cc`: "3rdparty", level key "policy"; chromium.org
 *   "Configuring Apps and Extensions by Policy"); booleans as REG_DWORD. The policy keys are
 *   `SOFTWARE\Policies\Google\Chrome` and `SOFTWARE\Policies\Microsoft\Edge`, where a dictionary
 *   policy such as ExtensionSettings is one REG_SZ value holding JSON (chrome.admx; learn.microsoft.com
 *   "ExtensionSettings").
 * - macOS: Chrome reads extension policy from the preference domain
 *   `com.google.Chrome.extensions.<id>` (not from a 3rdparty key in `com.google.Chrome`), delivered
 *   as a payload of that type in a configuration profile; Chrome's own policy is a `com.google.Chrome`
 *   payload (support.google.com/chrome/a/answer/7517624).
 *
 * ExtensionSettings is one policy, not merged across sources: if the organisation already sets it
 * (another file in the same directory, the same registry value, another profile), the Waygate entry
 * must be merged into that one by hand, or one of the two is lost.
 */
import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import { WaygateError } from '../../protocol/errors.js';
import type { ManagedConfig } from '../../protocol/managed-config.js';
import type { BrowserId } from './browsers.js';

/** Where Chrome (and Edge, for Web Store extensions) downloads an extension from the Chrome Web Store. */
export const CHROME_WEB_STORE_UPDATE_URL = 'https://clients2.google.com/service/update2/crx';

/** Our file in each browser's managed-policy directory; the only one install and uninstall touch. */
export const POLICY_FILE_NAME = 'waygate.json';

export type PolicyBrowser = Extract<BrowserId, 'chrome' | 'chromium' | 'edge' | 'brave'>;
export const POLICY_BROWSERS: readonly PolicyBrowser[] = ['chrome', 'chromium', 'edge', 'brave'];

/** Mandatory-policy directory of each browser on Linux (sources above). */
export const LINUX_POLICY_DIRS: Readonly<Record<PolicyBrowser, string>> = {
  chrome: '/etc/opt/chrome/policies/managed',
  chromium: '/etc/chromium/policies/managed',
  edge: '/etc/opt/edge/policies/managed',
  brave: '/etc/brave/policies/managed',
};

export interface PolicyInputs {
  /** A Chromium extension ID (already validated). */
  extensionId: string;
  /** Where the browser downloads the extension: the Web Store's, or a self-hosted update manifest. */
  updateUrl: string;
  /** The extension's managed storage (already validated against ManagedConfig). */
  managed: ManagedConfig;
  /**
   * Also force-install the extension (ExtensionSettings). Off when the extension arrives another
   * way — an ExtensionSettings the organisation already sets (it is not merged across sources), or
   * an unpacked build — so only its managed configuration is written.
   */
  forceInstall?: boolean;
}

export interface ChromiumPolicyFile {
  ExtensionSettings?: Record<string, { installation_mode: 'force_installed'; update_url: string }>;
  '3rdparty': { extensions: Record<string, ManagedValues> };
}

/** A ManagedConfig as the browser stores it: only the settings given, each a string or a boolean. */
export type ManagedValues = Record<string, string | boolean>;

/** The JSON object of a Linux policy file (the same shape Chrome's JSON policy format uses everywhere). */
export function chromiumPolicy(inputs: PolicyInputs): ChromiumPolicyFile {
  return {
    ...(inputs.forceInstall === false ? {} : { ExtensionSettings: extensionSettings(inputs) }),
    '3rdparty': { extensions: { [inputs.extensionId]: definedOnly(inputs.managed) } },
  };
}

export function renderChromiumPolicy(inputs: PolicyInputs): string {
  return `${JSON.stringify(chromiumPolicy(inputs), null, 2)}\n`;
}

/**
 * The policy file of each browser, under `rootDir` (`/` on a real machine; a temp dir in tests, an
 * image's root when building one). Paths are POSIX: these are Linux locations whatever the host.
 */
export function linuxPolicyFiles(browsers: readonly PolicyBrowser[], rootDir = '/'): { browser: PolicyBrowser; path: string }[] {
  return [...new Set(browsers)].map((browser) => ({
    browser,
    path: posix.join(rootDir, LINUX_POLICY_DIRS[browser], POLICY_FILE_NAME),
  }));
}

export interface MobileconfigOptions extends PolicyInputs {
  /** Returns a fresh UUID per call; injectable so tests get stable output. */
  uuid?: () => string;
  /** Reverse-DNS prefix of the payload identifiers; MDMs replace a profile with the same identifier. */
  identifier?: string;
  organization?: string;
}

/**
 * A macOS configuration profile with two payloads: `com.google.Chrome` (force-install through
 * ExtensionSettings) and `com.google.Chrome.extensions.<id>` (the managed storage, keys at the top
 * level of the payload as in any custom-settings payload).
 */
export function macMobileconfig(options: MobileconfigOptions): string {
  const uuid = options.uuid ?? (() => randomUUID().toUpperCase());
  const identifier = options.identifier ?? 'org.waygate.browser-policy';
  const payload = (type: string, name: string, suffix: string, settings: PlistDict): PlistDict => ({
    PayloadType: type,
    PayloadVersion: 1,
    PayloadIdentifier: `${identifier}.${suffix}`,
    PayloadUUID: uuid(),
    PayloadEnabled: true,
    PayloadDisplayName: name,
    ...settings,
  });
  const profile: PlistDict = {
    PayloadContent: [
      ...(options.forceInstall === false ? [] : [payload('com.google.Chrome', 'Google Chrome: install Waygate', 'chrome', { ExtensionSettings: extensionSettings(options) })]),
      payload(
        `com.google.Chrome.extensions.${options.extensionId}`,
        'Waygate extension settings',
        'extension',
        definedOnly(options.managed),
      ),
    ],
    PayloadDisplayName: 'Waygate browser extension',
    PayloadDescription: 'Installs the Waygate extension in Google Chrome and gives it its configuration.',
    PayloadIdentifier: identifier,
    ...(options.organization === undefined ? {} : { PayloadOrganization: options.organization }),
    PayloadScope: 'System',
    PayloadType: 'Configuration',
    PayloadUUID: uuid(),
    PayloadVersion: 1,
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    ...plistValue(profile, 0),
    '</plist>',
    '',
  ].join('\n');
}

/** The Windows policy keys a .reg file writes, under HKEY_LOCAL_MACHINE. */
export const WINDOWS_POLICY_KEYS = {
  chrome: 'SOFTWARE\\Policies\\Google\\Chrome',
  edge: 'SOFTWARE\\Policies\\Microsoft\\Edge',
} as const;

/**
 * A .reg file (text; written as UTF-16LE with a BOM, which is what "Version 5.00" means) setting
 * ExtensionSettings and the managed storage for Chrome and for Edge, machine-wide. Lines end in CRLF.
 */
export function windowsRegFile(inputs: PolicyInputs): string {
  const lines = ['Windows Registry Editor Version 5.00', ''];
  const settings = JSON.stringify(extensionSettings(inputs));
  for (const key of Object.values(WINDOWS_POLICY_KEYS)) {
    if (inputs.forceInstall !== false) lines.push(`[HKEY_LOCAL_MACHINE\\${key}]`, `"ExtensionSettings"=${regString(settings)}`, '');
    lines.push(`[HKEY_LOCAL_MACHINE\\${key}\\3rdparty\\extensions\\${inputs.extensionId}\\policy]`);
    for (const [name, value] of Object.entries(definedOnly(inputs.managed))) {
      lines.push(`${regString(name)}=${typeof value === 'boolean' ? `dword:${value ? '00000001' : '00000000'}` : regString(value)}`);
    }
    lines.push('');
  }
  return lines.join('\r\n');
}

/** The bytes regedit expects for a "Version 5.00" file: UTF-16LE with a byte-order mark. */
export function encodeRegFile(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

function extensionSettings(inputs: PolicyInputs): NonNullable<ChromiumPolicyFile['ExtensionSettings']> {
  return { [inputs.extensionId]: { installation_mode: 'force_installed', update_url: inputs.updateUrl } };
}

/** The config without keys set to undefined, so every output lists exactly the settings given. */
function definedOnly(config: ManagedConfig): ManagedValues {
  const out: ManagedValues = {};
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'string' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

/** A quoted REG_SZ: `\` and `"` escaped. A line break cannot be written in a .reg string, so it is refused. */
function regString(value: string): string {
  if (/[\r\n\0]/.test(value)) {
    throw new WaygateError('BAD_REQUEST', `${JSON.stringify(value)} contains a line break or NUL, which a .reg string value cannot hold.`);
  }
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

type PlistValue = string | number | boolean | PlistValue[] | PlistDict;
interface PlistDict {
  [key: string]: PlistValue;
}

function plistValue(value: PlistValue, depth: number): string[] {
  const pad = '\t'.repeat(depth);
  if (typeof value === 'string') return [`${pad}<string>${xmlEscape(value)}</string>`];
  if (typeof value === 'boolean') return [`${pad}<${value}/>`];
  if (typeof value === 'number') return [`${pad}<integer>${Math.trunc(value)}</integer>`];
  if (Array.isArray(value)) return [`${pad}<array>`, ...value.flatMap((item) => plistValue(item, depth + 1)), `${pad}</array>`];
  return [
    `${pad}<dict>`,
    ...Object.entries(value).flatMap(([key, item]) => [`${pad}\t<key>${xmlEscape(key)}</key>`, ...plistValue(item, depth + 1)]),
    `${pad}</dict>`,
  ];
}

/** Escapes XML's five special characters; refuses control characters, which XML 1.0 cannot carry. */
function xmlEscape(text: string): string {
  if ([...text].some(isXmlForbidden)) {
    throw new WaygateError('BAD_REQUEST', `${JSON.stringify(text)} contains a control character, which a configuration profile cannot hold.`);
  }
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}

/** C0 controls other than tab, line feed and carriage return are not allowed in an XML 1.0 document. */
function isXmlForbidden(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d;
}
