/** The networksetup commands the macOS backend runs, against a fake that answers as networksetup(8) does. */
import { describe, expect, it } from 'vitest';
import { MacosProxyBackend, parseAutoProxyUrl, parseNetworkServices } from '../../../../host/proxy/system-proxy.darwin.js';
import type { CommandResult, CommandRunner, SavedSettings } from '../../../../host/proxy/system-proxy.js';

const NETWORKSETUP = '/usr/sbin/networksetup';
const PAC_URL = 'http://127.0.0.1:41000/proxy.pac';

interface Service {
  url: string | null;
  enabled: boolean;
  disabled?: boolean;
}

/** A stateful stand-in for networksetup: lists services, reads and writes their auto proxy settings. */
function fakeNetworksetup(services: Record<string, Service>) {
  const calls: string[][] = [];
  const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '' });
  const run: CommandRunner = (file, args) => {
    calls.push([file, ...args]);
    if (file !== NETWORKSETUP) return Promise.resolve({ code: 127, stdout: '', stderr: `${file}: not found` });
    const [command, name = '', value = ''] = args;
    if (command === '-listallnetworkservices') {
      const lines = Object.entries(services).map(([service, { disabled }]) => (disabled ? `*${service}` : service));
      return Promise.resolve(ok(`An asterisk (*) denotes that a network service is disabled.\n${lines.join('\n')}\n`));
    }
    const service = services[name];
    // networksetup says this on stdout with exit status 0.
    if (!service) return Promise.resolve(ok(`${name} is not a recognized network service.\n** Error: The parameters were not valid.\n`));
    if (command === '-getautoproxyurl') return Promise.resolve(ok(`URL: ${service.url ?? '(null)'}\nEnabled: ${service.enabled ? 'Yes' : 'No'}\n`));
    if (command === '-setautoproxyurl') {
      service.url = value;
      service.enabled = true;
      return Promise.resolve(ok());
    }
    if (command === '-setautoproxystate') {
      service.enabled = value === 'on';
      return Promise.resolve(ok());
    }
    return Promise.resolve({ code: 4, stdout: '', stderr: 'unknown command' });
  };
  return { run, calls };
}

describe('macOS system proxy (networksetup)', () => {
  it('lists the enabled services, skipping the header line and the disabled ones', () => {
    const output = 'An asterisk (*) denotes that a network service is disabled.\nWi-Fi\nUSB 10/100/1000 LAN\n*Bluetooth PAN\nThunderbolt Bridge\n';
    expect(parseNetworkServices(output)).toEqual(['Wi-Fi', 'USB 10/100/1000 LAN', 'Thunderbolt Bridge']);
  });

  it('reads the auto proxy URL, "(null)" meaning none', () => {
    expect(parseAutoProxyUrl('URL: (null)\nEnabled: No\n')).toEqual({ url: null, enabled: false });
    expect(parseAutoProxyUrl('URL: http://wpad.corp/wpad.dat\nEnabled: Yes\n')).toEqual({ url: 'http://wpad.corp/wpad.dat', enabled: true });
    expect(() => parseAutoProxyUrl('** Error: The parameters were not valid.\n')).toThrow(/Unexpected output/);
  });

  it('snapshots every enabled service, then sets and turns on the PAC URL on each', async () => {
    const os = fakeNetworksetup({
      'Wi-Fi': { url: 'http://wpad.corp/wpad.dat', enabled: true },
      'USB 10/100/1000 LAN': { url: null, enabled: false },
      'Bluetooth PAN': { url: null, enabled: false, disabled: true },
    });
    const backend = new MacosProxyBackend(os.run, {});

    expect(await backend.available()).toBe(true);
    expect(await backend.snapshot()).toEqual({
      services: [
        { name: 'Wi-Fi', url: 'http://wpad.corp/wpad.dat', enabled: true },
        { name: 'USB 10/100/1000 LAN', url: null, enabled: false },
      ],
    });
    os.calls.length = 0;
    await backend.apply({ kind: 'pac', url: PAC_URL });
    expect(os.calls).toEqual([
      [NETWORKSETUP, '-listallnetworkservices'],
      [NETWORKSETUP, '-setautoproxyurl', 'Wi-Fi', PAC_URL],
      [NETWORKSETUP, '-setautoproxystate', 'Wi-Fi', 'on'],
      [NETWORKSETUP, '-setautoproxyurl', 'USB 10/100/1000 LAN', PAC_URL],
      [NETWORKSETUP, '-setautoproxystate', 'USB 10/100/1000 LAN', 'on'],
    ]);
  });

  it("restores each service's URL and state; one without a URL is turned off; a removed one is skipped", async () => {
    const services: Record<string, Service> = {
      'Wi-Fi': { url: 'http://wpad.corp/wpad.dat', enabled: false },
      Ethernet: { url: null, enabled: false },
    };
    const os = fakeNetworksetup(services);
    const backend = new MacosProxyBackend(os.run, {});
    const saved = await backend.snapshot();
    await backend.apply({ kind: 'pac', url: PAC_URL });
    os.calls.length = 0;

    await backend.restore({ services: [...(saved as { services: SavedSettings[] }).services, { name: 'Gone', url: null, enabled: true }] });

    expect(os.calls).toEqual([
      [NETWORKSETUP, '-listallnetworkservices'],
      [NETWORKSETUP, '-setautoproxyurl', 'Wi-Fi', 'http://wpad.corp/wpad.dat'],
      [NETWORKSETUP, '-setautoproxystate', 'Wi-Fi', 'off'],
      [NETWORKSETUP, '-setautoproxystate', 'Ethernet', 'off'],
    ]);
    expect(services['Wi-Fi']).toEqual({ url: 'http://wpad.corp/wpad.dat', enabled: false });
    expect(services.Ethernet?.enabled).toBe(false);
  });

  it('fails on the errors networksetup prints with exit status 0, naming the command and what to do', async () => {
    const run: CommandRunner = (_file, args) =>
      Promise.resolve(
        args[0] === '-listallnetworkservices'
          ? { code: 0, stdout: 'An asterisk (*) denotes that a network service is disabled.\nWi-Fi\n', stderr: '' }
          : { code: 0, stdout: '** Error: Command requires admin privileges.\n', stderr: '' },
      );
    await expect(new MacosProxyBackend(run, {}).apply({ kind: 'pac', url: PAC_URL })).rejects.toThrow(
      /`\/usr\/sbin\/networksetup -setautoproxyurl Wi-Fi http:\/\/127\.0\.0\.1:41000\/proxy\.pac` .*admin privileges.*must run as root/,
    );
  });

  it('is unavailable where networksetup is missing, and rejects saved settings of the wrong shape', async () => {
    const missing: CommandRunner = (file) => Promise.resolve({ code: 127, stdout: '', stderr: `${file}: not found` });
    expect(await new MacosProxyBackend(missing, {}).available()).toBe(false);
    await expect(new MacosProxyBackend(fakeNetworksetup({}).run, {}).restore({ services: [{ name: 'Wi-Fi' }] })).rejects.toThrow();
  });
});
