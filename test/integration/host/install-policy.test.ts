/**
 * `waygate install --policy` and `uninstall --policy` for real on this (Linux) machine, confined to
 * a temp dir standing in for `/` (--policy-root) and another for the admin's output (--policy-out).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WaygateError } from '../../../protocol/errors.js';
import { ManagedConfig } from '../../../protocol/managed-config.js';
import { WAYGATE_EXTENSION_ID } from '../../../protocol/native.js';
import { installPolicyCommand, uninstallPolicyCommand, type PolicyFlags } from '../../../host/cli/install-policy.js';
import { CHROME_WEB_STORE_UPDATE_URL } from '../../../host/installers/browser-policy.js';

let dir: string;
let root: string;
let out: string;
let lines: string[];
const log = (line: string) => lines.push(line);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'waygate-policy-'));
  root = join(dir, 'root');
  out = join(dir, 'out');
  lines = [];
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const POLICY_FILES = [
  'etc/brave/policies/managed/waygate.json',
  'etc/chromium/policies/managed/waygate.json',
  'etc/opt/chrome/policies/managed/waygate.json',
  'etc/opt/edge/policies/managed/waygate.json',
];

function flags(overrides: Partial<PolicyFlags> = {}): PolicyFlags {
  return {
    policy: true,
    portalUrl: 'https://portal.example.com',
    enrollmentToken: 'wge_0123456789abcdef',
    userEmail: 'ada@example.com',
    lockPortalUrl: true,
    policyRoot: root,
    policyOut: out,
    ...overrides,
  };
}

function filesUnder(base: string): string[] {
  if (!existsSync(base)) return [];
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(base.length + 1))
    .sort();
}

describe('install --policy', () => {
  it('writes each browser’s policy file (0644, valid policy) and the macOS and Windows files (0600)', async () => {
    await installPolicyCommand(flags(), log);

    expect(filesUnder(root)).toEqual(POLICY_FILES);
    for (const file of POLICY_FILES) {
      const path = join(root, file);
      expect(statSync(path).mode & 0o777).toBe(0o644);
      const policy: unknown = JSON.parse(readFileSync(path, 'utf8'));
      expect(policy).toEqual({
        ExtensionSettings: { [WAYGATE_EXTENSION_ID]: { installation_mode: 'force_installed', update_url: CHROME_WEB_STORE_UPDATE_URL } },
        '3rdparty': { extensions: { [WAYGATE_EXTENSION_ID]: expect.any(Object) } },
      });
      const managed = (policy as { '3rdparty': { extensions: Record<string, unknown> } })['3rdparty'].extensions[WAYGATE_EXTENSION_ID];
      expect(ManagedConfig.parse(managed)).toEqual({
        portalUrl: 'https://portal.example.com',
        enrollmentToken: 'wge_0123456789abcdef',
        userEmail: 'ada@example.com',
        lockPortalUrl: true,
      });
    }

    expect(filesUnder(out)).toEqual(['waygate-browser-policy.mobileconfig', 'waygate-browser-policy.reg']);
    const mobileconfig = join(out, 'waygate-browser-policy.mobileconfig');
    const reg = join(out, 'waygate-browser-policy.reg');
    expect(statSync(mobileconfig).mode & 0o777).toBe(0o600);
    expect(statSync(reg).mode & 0o777).toBe(0o600);
    expect(readFileSync(mobileconfig, 'utf8')).toContain(`<string>com.google.Chrome.extensions.${WAYGATE_EXTENSION_ID}</string>`);
    const regBytes = readFileSync(reg);
    expect([...regBytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(regBytes.subarray(2).toString('utf16le')).toMatch(/^Windows Registry Editor Version 5\.00\r\n/);
  });

  it('writes only the browsers named, with a self-hosted update URL', async () => {
    await installPolicyCommand(flags({ browser: ['chromium'], updateUrl: 'https://crx.example.com/updates.xml' }), log);
    expect(filesUnder(root)).toEqual(['etc/chromium/policies/managed/waygate.json']);
    expect(readFileSync(join(root, 'etc/chromium/policies/managed/waygate.json'), 'utf8')).toContain('"update_url": "https://crx.example.com/updates.xml"');
  });

  it('replaces its own file, leaves others alone, and warns about another file setting ExtensionSettings', async () => {
    const managedDir = join(root, 'etc/chromium/policies/managed');
    mkdirSync(managedDir, { recursive: true });
    writeFileSync(join(managedDir, 'waygate.json'), '{"stale": true}');
    writeFileSync(join(managedDir, 'corp.json'), '{"ExtensionSettings": {"*": {"installation_mode": "blocked"}}}');

    await installPolicyCommand(flags({ browser: ['chromium'] }), log);

    expect(readFileSync(join(managedDir, 'waygate.json'), 'utf8')).not.toContain('stale');
    expect(readFileSync(join(managedDir, 'corp.json'), 'utf8')).toContain('blocked');
    expect(filesUnder(managedDir)).toEqual(['corp.json', 'waygate.json']);
    expect(lines.join('\n')).toMatch(/warning: .*corp\.json also sets ExtensionSettings/);
  });

  it('writes nothing in a dry run, but says what it would write', async () => {
    await installPolicyCommand(flags({ dryRun: true }), log);
    expect(filesUnder(dir)).toEqual([]);
    expect(lines).toContain(`write ${join(root, POLICY_FILES[2] ?? '')} (0644)`);
    expect(lines.at(-1)).toBe('dry run: nothing was changed');
  });

  it.each([
    [{ portalUrl: undefined }, /--portal-url/],
    [{ portalUrl: 'ftp://portal.example.com' }, /--portal-url: must be an http\(s\) URL/],
    [{ userEmail: undefined }, /--user-email: is required with enrollmentToken/],
    [{ userEmail: 'ada' }, /--user-email: must be an email address/],
    [{ updateUrl: 'crx.example.com' }, /--update-url/],
    [{ browser: ['chrome', 'firefox'] }, /not for firefox/],
    [{ extensionId: ['not-an-id'] }, /not a Chromium extension ID/],
  ] satisfies [Partial<PolicyFlags>, RegExp][])('refuses %j before writing anything', async (bad, message) => {
    const attempt = installPolicyCommand(flags(bad), log);
    await expect(attempt).rejects.toThrow(WaygateError);
    await expect(attempt).rejects.toThrow(message);
    expect(filesUnder(dir)).toEqual([]);
  });
});

describe('uninstall --policy', () => {
  it('removes our policy files and nothing else', async () => {
    await installPolicyCommand(flags(), log);
    const chromeDir = join(root, 'etc/opt/chrome/policies/managed');
    writeFileSync(join(chromeDir, 'corp.json'), '{}');

    await uninstallPolicyCommand({ policy: true, policyRoot: root }, log);

    expect(filesUnder(root)).toEqual(['etc/opt/chrome/policies/managed/corp.json']);
    expect(existsSync(chromeDir)).toBe(true);
  });

  it('removes only the browsers named, and tolerates files already gone', async () => {
    await installPolicyCommand(flags({ browser: ['chrome', 'edge'] }), log);
    await uninstallPolicyCommand({ policy: true, policyRoot: root, browser: ['edge', 'brave'] }, log);
    expect(filesUnder(root)).toEqual(['etc/opt/chrome/policies/managed/waygate.json']);
  });
});
