/** The reg.exe commands the Windows backend runs, and how it reads `reg query` output. */
import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../../../host/proxy/system-proxy.js';
import { INTERNET_SETTINGS, parseRegQuery, WindowsProxyBackend } from '../../../../host/proxy/system-proxy.win32.js';

const REG = 'C:\\Windows\\System32\\reg.exe';
const ENV = { SystemRoot: 'C:\\Windows' };
const PAC_URL = 'http://127.0.0.1:41000/proxy.pac';
const KEY_LINE = 'HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings';

/** What `reg query <key>` prints: a blank line, the key, its values indented by four spaces, then its subkeys (CRLF). */
function regQueryOutput(values: readonly string[]): string {
  const subkeys = ['5.0', 'Cache', 'Connections', 'Http Filters', 'ZoneMap', 'Zones'].map((name) => `${KEY_LINE}\\${name}`);
  return ['', KEY_LINE, ...values.map((line) => `    ${line}`), '', ...subkeys, ''].join('\r\n');
}

const USER_VALUES = [
  'CertificateRevocation    REG_DWORD    0x1',
  'User Agent    REG_SZ    Mozilla/4.0 (compatible; MSIE 8.0; Win32)',
  'ProxyEnable    REG_DWORD    0x1',
  'ProxyServer    REG_SZ    http=proxy.corp.example:8080;https=proxy.corp.example:8443',
  'ProxyOverride    REG_SZ    <local>;*.corp.example',
  'ZonesSecurityUpgrade    REG_BINARY    C2A4E8F1D2A3D901',
];

/** A stand-in for reg.exe over one key's values, answering as reg.exe does. */
function fakeReg(initial: readonly string[]) {
  const values = new Map<string, string>();
  for (const line of initial) {
    const [name = '', rest = ''] = line.split(/ {4}(?=REG_)/);
    values.set(name, rest);
  }
  const calls: string[][] = [];
  const run: CommandRunner = (file, args) => {
    calls.push([file, ...args]);
    const [command, key, , name = '', , type = '', , data = ''] = args;
    if (key !== INTERNET_SETTINGS) return Promise.resolve({ code: 1, stdout: '', stderr: 'ERROR: The system was unable to find the specified registry key or value.\r\n' });
    if (command === 'query') return Promise.resolve({ code: 0, stdout: regQueryOutput([...values].map(([n, rest]) => `${n}    ${rest}`)), stderr: '' });
    if (command === 'add') {
      const shown = type === 'REG_DWORD' ? `0x${Number(data).toString(16)}` : data;
      values.set(name, `${type}    ${shown}`);
      return Promise.resolve({ code: 0, stdout: 'The operation completed successfully.\r\n\r\n', stderr: '' });
    }
    if (command === 'delete' && values.delete(name)) return Promise.resolve({ code: 0, stdout: 'The operation completed successfully.\r\n\r\n', stderr: '' });
    return Promise.resolve({ code: 1, stdout: '', stderr: 'ERROR: The system was unable to find the specified registry key or value.\r\n' });
  };
  return { run, calls, values };
}

describe('Windows system proxy (reg.exe, WinINET per-user settings)', () => {
  it('reads only its four values from `reg query`, absent ones as null', () => {
    expect(parseRegQuery(regQueryOutput(USER_VALUES))).toEqual({
      ProxyEnable: { type: 'REG_DWORD', data: '0x1' },
      ProxyServer: { type: 'REG_SZ', data: 'http=proxy.corp.example:8080;https=proxy.corp.example:8443' },
      ProxyOverride: { type: 'REG_SZ', data: '<local>;*.corp.example' },
      AutoConfigURL: null,
    });
  });

  it('reads an empty string value, and value names in any case', () => {
    const output = regQueryOutput(['proxyserver    REG_SZ    ', 'AutoConfigURL    REG_SZ']);
    expect(parseRegQuery(output)).toMatchObject({ ProxyServer: { type: 'REG_SZ', data: '' }, AutoConfigURL: { type: 'REG_SZ', data: '' } });
  });

  it('refuses to snapshot a value of a type it could not restore', () => {
    expect(() => parseRegQuery(regQueryOutput(['ProxyEnable    REG_BINARY    01']))).toThrow(/REG_BINARY.*left the proxy settings alone/);
  });

  it('sets AutoConfigURL and turns the manual proxy off', async () => {
    const reg = fakeReg(USER_VALUES);
    await new WindowsProxyBackend(reg.run, ENV).apply({ kind: 'pac', url: PAC_URL });

    expect(reg.calls).toEqual([
      [REG, 'add', INTERNET_SETTINGS, '/v', 'AutoConfigURL', '/t', 'REG_SZ', '/d', PAC_URL, '/f'],
      [REG, 'add', INTERNET_SETTINGS, '/v', 'ProxyEnable', '/t', 'REG_DWORD', '/d', '0', '/f'],
    ]);
  });

  it('restores exactly: numbers back in decimal, strings as they were, values that did not exist deleted', async () => {
    const reg = fakeReg(USER_VALUES);
    const backend = new WindowsProxyBackend(reg.run, ENV);
    const saved = await backend.snapshot();
    await backend.apply({ kind: 'pac', url: PAC_URL });
    reg.calls.length = 0;

    await backend.restore(saved);

    expect(reg.calls).toEqual([
      [REG, 'query', INTERNET_SETTINGS],
      [REG, 'add', INTERNET_SETTINGS, '/v', 'ProxyServer', '/t', 'REG_SZ', '/d', 'http=proxy.corp.example:8080;https=proxy.corp.example:8443', '/f'],
      [REG, 'add', INTERNET_SETTINGS, '/v', 'ProxyOverride', '/t', 'REG_SZ', '/d', '<local>;*.corp.example', '/f'],
      [REG, 'delete', INTERNET_SETTINGS, '/v', 'AutoConfigURL', '/f'],
      [REG, 'add', INTERNET_SETTINGS, '/v', 'ProxyEnable', '/t', 'REG_DWORD', '/d', '1', '/f'],
    ]);
    expect(parseRegQuery(regQueryOutput([...reg.values].map(([name, rest]) => `${name}    ${rest}`)))).toEqual(saved);
  });

  it('does not try to delete a value that is already gone', async () => {
    const reg = fakeReg(['ProxyEnable    REG_DWORD    0x0']);
    const backend = new WindowsProxyBackend(reg.run, ENV);
    await backend.restore({ ProxyEnable: { type: 'REG_DWORD', data: '0x0' }, ProxyServer: null, ProxyOverride: null, AutoConfigURL: null });

    expect(reg.calls.filter(([, command]) => command === 'delete')).toEqual([]);
  });

  it('names the failed command and says to run as the signed-in user', async () => {
    const denied: CommandRunner = () => Promise.resolve({ code: 1, stdout: '', stderr: 'ERROR: Access is denied.\r\n' });
    await expect(new WindowsProxyBackend(denied, ENV).apply({ kind: 'pac', url: PAC_URL })).rejects.toThrow(
      /`C:\\Windows\\System32\\reg\.exe add HKCU\\.*AutoConfigURL.*` exited with 1: ERROR: Access is denied\. Run Waygate as the signed-in user/,
    );
  });

  it('rejects saved settings of the wrong shape or a number that is not hex', async () => {
    const backend = new WindowsProxyBackend(fakeReg([]).run, ENV);
    await expect(backend.restore({ ProxyEnable: 1 })).rejects.toThrow();
    await expect(
      backend.restore({ ProxyEnable: { type: 'REG_DWORD', data: '1; reg delete' }, ProxyServer: null, ProxyOverride: null, AutoConfigURL: null }),
    ).rejects.toThrow(/not a hex number/);
  });

  it('runs reg.exe from PATH when SystemRoot is unknown', async () => {
    const reg = fakeReg([]);
    expect(await new WindowsProxyBackend(reg.run, {}).available()).toBe(true);
    expect(reg.calls).toEqual([['reg.exe', 'query', INTERNET_SETTINGS]]);
  });
});
