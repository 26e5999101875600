import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSystemProxyBackend } from '../../../../host/proxy/system-proxy.fake.js';
import { SystemProxyManager, systemProxyBackends, type CommandRunner, type SystemProxyBackend } from '../../../../host/proxy/system-proxy.js';
import { silentLogger } from '../../../fakes/logger.js';

const PAC = { kind: 'pac', url: 'http://127.0.0.1:41000/proxy.pac' } as const;
const OTHER_PAC = { kind: 'pac', url: 'http://127.0.0.1:42000/proxy.pac' } as const;

let dir: string;
let savedFile: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'waygate-system-proxy-'));
  savedFile = join(dir, 'system-proxy.json');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function manager(...backends: SystemProxyBackend[]): SystemProxyManager {
  return new SystemProxyManager({ backends, savedFile, logger: silentLogger });
}

function savedEntries(): unknown {
  return JSON.parse(readFileSync(savedFile, 'utf8'));
}

describe('SystemProxyManager', () => {
  it("saves the user's settings to a 0600 file before it changes anything, then applies", async () => {
    const gnome = new FakeSystemProxyBackend('gnome', { mode: 'manual', proxy: 'proxy.corp:3128' });
    let fileAtApply: unknown = null;
    const apply = gnome.apply.bind(gnome);
    gnome.apply = async (target) => {
      fileAtApply = savedEntries();
      return apply(target);
    };

    const result = await manager(gnome).apply(PAC);

    expect(result).toEqual({ state: 'applied', backends: ['gnome'], failures: [], detail: expect.stringContaining('gnome') });
    expect(fileAtApply).toEqual({ version: 1, entries: [{ backend: 'gnome', saved: { mode: 'manual', proxy: 'proxy.corp:3128' } }] });
    expect(statSync(savedFile).mode & 0o777).toBe(0o600);
    expect(gnome.settings).toEqual({ mode: 'pac', url: PAC.url });
  });

  it("snapshots once: a later apply with another URL keeps the user's settings in the file", async () => {
    const gnome = new FakeSystemProxyBackend('gnome', { mode: 'manual', proxy: 'proxy.corp:3128' });
    const proxy = manager(gnome);
    await proxy.apply(PAC);
    await proxy.apply(OTHER_PAC);

    expect(gnome.calls).toEqual(['available', 'snapshot', `apply ${PAC.url}`, `apply ${OTHER_PAC.url}`]);
    expect(gnome.settings).toEqual({ mode: 'pac', url: OTHER_PAC.url });
    expect(savedEntries()).toEqual({ version: 1, entries: [{ backend: 'gnome', saved: { mode: 'manual', proxy: 'proxy.corp:3128' } }] });
  });

  it("restores the user's settings and deletes the file; a second restore has nothing to do", async () => {
    const gnome = new FakeSystemProxyBackend('gnome', { mode: 'manual', proxy: 'proxy.corp:3128' });
    const proxy = manager(gnome);
    await proxy.apply(PAC);

    expect(await proxy.restore()).toEqual({ state: 'restored', backends: ['gnome'], failures: [], detail: expect.any(String) });
    expect(gnome.settings).toEqual({ mode: 'manual', proxy: 'proxy.corp:3128' });
    expect(existsSync(savedFile)).toBe(false);

    expect(await proxy.restore()).toMatchObject({ state: 'restored', backends: [] });
    expect(gnome.calls.filter((call) => call === 'restore')).toHaveLength(1);
  });

  it('snapshots again after a restore, when the user may have changed their settings', async () => {
    const gnome = new FakeSystemProxyBackend('gnome');
    const proxy = manager(gnome);
    await proxy.apply(PAC);
    await proxy.restore();
    gnome.settings = { mode: 'manual', proxy: 'new.corp:8080' };
    await proxy.apply(PAC);
    await proxy.restore();

    expect(gnome.settings).toEqual({ mode: 'manual', proxy: 'new.corp:8080' });
  });

  it('restores at the next start what a crashed run left applied, and only then', async () => {
    const gnome = new FakeSystemProxyBackend('gnome', { mode: 'manual', proxy: 'proxy.corp:3128' });
    await manager(gnome).apply(PAC);
    // The service dies here: the next run gets a new manager over the same saved file.
    const restarted = manager(gnome);

    expect(await restarted.recoverAtStart()).toMatchObject({ recovered: true, state: 'restored', backends: ['gnome'] });
    expect(gnome.settings).toEqual({ mode: 'manual', proxy: 'proxy.corp:3128' });
    expect(existsSync(savedFile)).toBe(false);
    expect(await manager(gnome).recoverAtStart()).toMatchObject({ recovered: false, state: 'restored', backends: [] });
  });

  it("a crash between two applies still restores the user's settings, not the first URL", async () => {
    const gnome = new FakeSystemProxyBackend('gnome', { mode: 'none' });
    await manager(gnome).apply(PAC);
    const restarted = manager(gnome);
    await restarted.apply(OTHER_PAC);
    await restarted.restore();

    expect(gnome.settings).toEqual({ mode: 'none' });
  });

  it('a backend that fails to apply does not stop the others, and is restored from its snapshot', async () => {
    const gnome = new FakeSystemProxyBackend('gnome', { mode: 'manual', proxy: 'g:1' });
    const kde = new FakeSystemProxyBackend('kde', { mode: 'manual', proxy: 'k:1' });
    gnome.fail('apply', new Error('`gsettings set org.gnome.system.proxy mode` exited with 1. Install gsettings.'));
    const proxy = manager(gnome, kde);

    const applied = await proxy.apply(PAC);
    expect(applied).toMatchObject({ state: 'failed', backends: ['kde'], failures: [{ backend: 'gnome', message: expect.stringContaining('gsettings set') }] });
    expect(applied.detail).toContain('Install gsettings');
    expect(kde.settings).toEqual({ mode: 'pac', url: PAC.url });

    expect(await proxy.restore()).toMatchObject({ state: 'restored', backends: ['gnome', 'kde'] });
    expect(kde.settings).toEqual({ mode: 'manual', proxy: 'k:1' });
  });

  it('leaves alone a backend whose settings cannot be read, and applies the others', async () => {
    const gnome = new FakeSystemProxyBackend('gnome');
    const kde = new FakeSystemProxyBackend('kde', { mode: 'manual', proxy: 'k:1' });
    kde.fail('snapshot');

    expect(await manager(gnome, kde).apply(PAC)).toMatchObject({ state: 'failed', backends: ['gnome'], failures: [{ backend: 'kde' }] });
    expect(kde.calls).not.toContain(`apply ${PAC.url}`);
    expect(kde.settings).toEqual({ mode: 'manual', proxy: 'k:1' });
  });

  it('keeps what failed to restore in the file, so the next restore tries again', async () => {
    const gnome = new FakeSystemProxyBackend('gnome', { mode: 'manual', proxy: 'g:1' });
    const kde = new FakeSystemProxyBackend('kde', { mode: 'manual', proxy: 'k:1' });
    const proxy = manager(gnome, kde);
    await proxy.apply(PAC);
    kde.fail('restore');

    expect(await proxy.restore()).toMatchObject({ state: 'failed', backends: ['gnome'], failures: [{ backend: 'kde' }] });
    expect(savedEntries()).toEqual({ version: 1, entries: [{ backend: 'kde', saved: { mode: 'manual', proxy: 'k:1' } }] });

    kde.succeed('restore');
    expect(await proxy.recoverAtStart()).toMatchObject({ recovered: true, state: 'restored', backends: ['kde'] });
    expect(kde.settings).toEqual({ mode: 'manual', proxy: 'k:1' });
    expect(existsSync(savedFile)).toBe(false);
  });

  it('says what is missing when no backend is available, and writes nothing', async () => {
    const gnome = new FakeSystemProxyBackend('gnome');
    gnome.isAvailable = false;

    expect(await manager(gnome).apply(PAC)).toMatchObject({ state: 'unavailable', backends: [], detail: expect.stringContaining('gnome: nothing (a fake)') });
    expect(existsSync(savedFile)).toBe(false);
  });

  it('changes nothing when the snapshot cannot be saved', async () => {
    const gnome = new FakeSystemProxyBackend('gnome');
    const proxy = new SystemProxyManager({ backends: [gnome], savedFile: join(dir, 'missing-dir', 'system-proxy.json') });

    expect(await proxy.apply(PAC)).toMatchObject({ state: 'failed', backends: [], detail: expect.stringContaining('could not save') });
    expect(gnome.settings).toEqual({ mode: 'none' });
  });

  it('refuses a PAC URL that is not http(s) or carries control characters', async () => {
    const gnome = new FakeSystemProxyBackend('gnome');
    const proxy = manager(gnome);

    expect(await proxy.apply({ kind: 'pac', url: 'file:///etc/passwd' })).toMatchObject({ state: 'failed' });
    expect(await proxy.apply({ kind: 'pac', url: 'http://127.0.0.1:1/p.pac\n[Other]' })).toMatchObject({ state: 'failed' });
    expect(gnome.calls).toEqual([]);
  });

  it('moves an unreadable saved file aside and says to check the settings by hand', async () => {
    writeFileSync(savedFile, '{"version":1,"entries":[{"backend":');
    const gnome = new FakeSystemProxyBackend('gnome');

    expect(await manager(gnome).recoverAtStart()).toMatchObject({ recovered: true, state: 'failed', detail: expect.stringContaining('by hand') });
    expect(existsSync(savedFile)).toBe(false);
    expect(existsSync(`${savedFile}.corrupt`)).toBe(true);
  });

  it('runs calls one at a time, so a restore racing an apply cannot snapshot our own settings', async () => {
    const gnome = new FakeSystemProxyBackend('gnome', { mode: 'manual', proxy: 'g:1' });
    const proxy = manager(gnome);
    await Promise.all([proxy.apply(PAC), proxy.restore(), proxy.apply(OTHER_PAC), proxy.restore()]);

    expect(gnome.settings).toEqual({ mode: 'manual', proxy: 'g:1' });
    expect(gnome.calls).toEqual(['available', 'snapshot', `apply ${PAC.url}`, 'restore', 'available', 'snapshot', `apply ${OTHER_PAC.url}`, 'restore']);
  });
});

describe('systemProxyBackends', () => {
  it('picks GNOME and KDE on Linux, networksetup on macOS, the registry on Windows, nothing elsewhere', async () => {
    const run: CommandRunner = () => Promise.resolve({ code: 127, stdout: '', stderr: '' });
    const names = async (platform: NodeJS.Platform) => (await systemProxyBackends(platform, run, {})).map((backend) => backend.name);

    expect(await names('linux')).toEqual(['gnome', 'kde']);
    expect(await names('darwin')).toEqual(['macos']);
    expect(await names('win32')).toEqual(['windows']);
    expect(await names('freebsd')).toEqual([]);
  });
});
