/**
 * The service against a real portal, driven by the real CLI: `waygate login` through the device
 * flow (approved on the portal's verification page), config sync with the signature checked, the
 * edge token, heartbeats, and the cached config carrying protection across a restart with the
 * portal gone.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from '../../../protocol/localapi.js';
import { readStatus, loginWithApproval, runCli, startDeviceService, type DeviceService } from '../../support/device-service.js';
import { startProtectedSystem, type ProtectedSystem } from '../../support/protected-system.js';
import type { TestPortal } from '../../support/portal.js';
import { stopProcess, tempDir, waitForLog } from '../../support/waygate-process.js';

let system: ProtectedSystem;
let portal: TestPortal;
let edgeHostPort: string;
let tmp: { dir: string; cleanup(): Promise<void> };
let service: DeviceService;

const status = (): Promise<Status> => readStatus(service);

beforeAll(async () => {
  tmp = await tempDir('service-sign-in');
  system = await startProtectedSystem({ dir: join(tmp.dir, 'system') });
  portal = system.portal;
  edgeHostPort = system.edge.proxyUrl.replace('http://', '');
  service = await startDeviceService({ dir: tmp.dir, portalUrl: portal.url });
});

afterAll(async () => {
  if (service) await stopProcess(service.proc);
  await system?.close();
  await tmp?.cleanup();
});

describe('waygate login, then the config and the edge token', () => {
  it('is signed out before login, and says so', async () => {
    const before = await status();
    expect(before).toMatchObject({ account: null, protection: { state: 'signed-out' }, browserProxy: { mode: 'release' } });
  });

  it('signs in through the device flow once the user approves on the verification page', async () => {
    const login = await loginWithApproval(service, portal.url, { email: 'user@example.test', password: portal.user.password });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`${portal.url}/device?user_code=`);
    expect(login.stdout).toContain('Signed in as user@example.test (Test Org)');
  });

  it('applies the signed config from the portal and holds an edge token', async () => {
    await expect.poll(async () => (await status()).protection.state, { timeout: 10_000 }).toBe('protected');
    const now = await status();
    expect(now.account).toMatchObject({ user: { email: 'user@example.test' }, org: { name: 'Test Org' }, portalUrl: portal.url });
    expect(now.config).toMatchObject({ policyVersion: system.policyVersion, source: 'portal', lastError: null });
    expect(now.browserProxy.mode).toBe('pac');
    expect(now.edge).toMatchObject({ id: 'test-edge', proxyUrl: system.edge.proxyUrl, health: 'ok' });
    await expect.poll(async () => (await status()).edgeTokenExpiresAt, { timeout: 10_000 }).not.toBeNull();
  });

  it('keeps the credential in a 0600 file in its state dir', async () => {
    const { stat } = await import('node:fs/promises');
    const mode = (await stat(join(service.stateDir, 'enrollment.json'))).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('reports a heartbeat with its fingerprint to the portal', async () => {
    const deviceId = (await status()).account!.deviceId;
    await expect
      .poll(async () => (await portal.ctx.store.getDevice(deviceId))?.fingerprint, { timeout: 10_000 })
      .toMatchObject({ os: 'linux', appVersion: expect.any(String), state: 'protected', networkType: 'off-trusted' });
  });

  it('explains a URL with the PAC’s answer and the edge it names', async () => {
    const result = await runCli(service, ['explain', 'http://origin.test/page', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ route: { kind: 'edge', edgeId: 'test-edge' }, pacResult: `PROXY ${edgeHostPort}; PROXY ${edgeHostPort}` });
    const local = JSON.parse((await runCli(service, ['explain', 'http://printer/', '--json'])).stdout);
    expect(local).toMatchObject({ route: { kind: 'direct' }, pacResult: 'DIRECT' });
  });

  it('refuses a second login while signed in', async () => {
    const again = await runCli(service, ['login', '--no-qr']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Already signed in as user@example.test');
  });
});

describe('when the portal is gone', () => {
  it('restarts on the cached config and stays protected; a sync says what failed and changes nothing', async () => {
    const portalUrl = portal.url;
    await system.stopPortal();
    await stopProcess(service.proc);
    service = await startDeviceService({ dir: tmp.dir, portalUrl });
    const restarted = await status();
    expect(restarted).toMatchObject({ protection: { state: 'protected' }, config: { policyVersion: system.policyVersion, source: 'disk' }, browserProxy: { mode: 'pac' } });
    // The edge token kept on disk still works: the edge can be reached without the portal.
    expect(restarted.edgeTokenExpiresAt).not.toBeNull();

    const sync = await runCli(service, ['sync']);
    expect(sync.code).toBe(1);
    expect(sync.stderr).toContain('could not be reached');
    expect(await status()).toMatchObject({ protection: { state: 'protected' }, config: { policyVersion: system.policyVersion, lastError: { code: 'PORTAL_UNREACHABLE' } } });
  });

  it('does not trust a cached config whose signature no longer verifies', async () => {
    const file = join(service.stateDir, 'config.json');
    const cached = JSON.parse(await readFile(file, 'utf8')) as { signed: { config: { forwardingProfile: { allowUserProxy: boolean } } } };
    cached.signed.config.forwardingProfile.allowUserProxy = true;
    await writeFile(file, JSON.stringify(cached));
    await stopProcess(service.proc);
    service = await startDeviceService({ dir: tmp.dir, portalUrl: 'http://127.0.0.1:9' });
    await waitForLog(service.proc, 'config: cached config rejected');
    expect(await status()).toMatchObject({ account: { user: { email: 'user@example.test' } }, protection: { state: 'waiting' }, browserProxy: { mode: 'release' } });
  });
});
