/**
 * The service inside a network namespace the test owns, with a real portal and two real edges:
 * it picks the faster edge, notices the office (its DNS server and the pinned TLS beacon) and
 * steps aside there, pauses for a café's captive portal and resumes once the user is through, and
 * moves to the other edge when the one in use dies. Root only (required in CI).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from '../../../protocol/localapi.js';
import { curl } from '../../support/curl.js';
import { readStatus, loginWithApproval, runCli } from '../../support/device-service.js';
import { deleteAllNetns, inNetns, netnsBlocker } from '../../support/netns.js';
import { BEACON_ADDRESS, OFFICE_DNS, SLOW_EDGE_PORT, startNetnsDevice, type NetnsDevice } from '../../support/netns-device.js';
import { ORIGIN_BODY } from '../../support/protected-system.js';
import { stopProcess, tempDir } from '../../support/waygate-process.js';

const blocker = netnsBlocker(['ip', 'openssl', 'curl']);

describe.skipIf(blocker !== null)('network awareness in a network namespace', () => {
  let tmp: { dir: string; cleanup(): Promise<void> };
  let device: NetnsDevice;

  const status = (): Promise<Status> => readStatus(device.service);

  beforeAll(async () => {
    tmp = await tempDir('netns-awareness');
    device = await startNetnsDevice(tmp.dir, (doc, pin) => ({
      ...doc,
      forwardingProfiles: doc.forwardingProfiles.map((profile) => ({
        ...profile,
        trustedNetwork: {
          match: 'all',
          dnsServers: [OFFICE_DNS],
          dnsSearchDomains: [],
          hostnameResolves: [],
          defaultGateways: [],
          networkRanges: [],
          beacon: { address: BEACON_ADDRESS, spkiSha256: pin },
        },
        captivePortal: { enabled: true, pauseMinutes: 5 },
        edgeSelection: { strategy: 'lowest-latency', edges: ['fast', 'slow'], recheckSeconds: 30 },
      })),
    }));
    await device.startService();
    const login = await loginWithApproval(device.service, device.portal.url, { email: 'user@example.test', password: device.portal.user.password });
    expect(login.code, login.stderr).toBe(0);
  });

  afterAll(async () => {
    await device?.close();
    await deleteAllNetns();
    await tmp?.cleanup();
  });

  it('protects through the faster of two edges (the other is 40 ms further away)', async () => {
    await expect.poll(async () => (await status()).protection.state, { timeout: 15_000 }).toBe('protected');
    await expect.poll(async () => (await status()).edge, { timeout: 10_000 }).toMatchObject({ id: 'fast', secondaryId: 'slow', health: 'ok' });
  });

  it('recognises the office by its DNS server and the pinned beacon, and steps aside there', async () => {
    await device.joinOffice();
    await expect.poll(async () => (await status()).network.type, { timeout: 10_000 }).toBe('trusted');
    const atOffice = await status();
    expect(atOffice.protection.state).toBe('off');
    expect(atOffice.browserProxy).toEqual({ mode: 'release' });
    expect(atOffice.network.checks).toEqual([
      expect.objectContaining({ criterion: 'dnsServers', met: true }),
      expect.objectContaining({ criterion: 'beacon', met: true }),
    ]);

    const human = (await runCli(device.service, ['status'])).stdout;
    expect(human).toContain('network:    trusted');
    expect(human).toMatch(/✓ beacon: .*10\.77\.0\.1:8443/);

    await device.leaveOffice();
    await expect.poll(async () => (await status()).network.type, { timeout: 10_000 }).toBe('off-trusted');
    expect((await status()).protection.state).toBe('protected');
  });

  it('pauses for a café’s captive portal, then resumes as soon as the user is through', async () => {
    device.cafe.captive = true;
    await device.changeLan('192.168.77.20/24');
    await expect.poll(async () => (await status()).protection.state, { timeout: 10_000 }).toBe('paused');
    const paused = await status();
    expect(paused.captivePortal).toMatchObject({ state: 'detected', loginUrl: 'http://cafe.test/login' });
    expect(Date.parse(paused.captivePortal.resumesAt!)).toBeGreaterThan(Date.now());
    expect(paused.browserProxy).toEqual({ mode: 'release' });

    device.cafe.captive = false; // the user signed in to the café's Wi-Fi
    await expect.poll(async () => (await status()).protection.state, { timeout: 10_000 }).toBe('protected');
    expect((await status()).captivePortal.state).toBe('none');
  });

  it('moves to the other edge when the one in use dies, and traffic flows through it', async () => {
    await stopProcess(device.edges.fast.proc);
    await expect.poll(async () => (await status()).edge?.id, { timeout: 10_000 }).toBe('slow');
    const settings = JSON.parse((await curl(['--unix-socket', device.service.socket, 'http://localapi/localapi/v1/browser-settings'])).stdout) as {
      credentials: { username: string; token: string };
    };
    const through = await inNetns(device.netns, [
      'curl', '-sS', '-x', `http://127.0.0.1:${SLOW_EDGE_PORT}`, '--proxy-user', `${settings.credentials.username}:${settings.credentials.token}`,
      `http://origin.test:${device.originPort}/after-failover`,
    ]);
    expect(through).toContain(ORIGIN_BODY);
  });
});
