/**
 * Windows' per-user proxy settings (WinINET, which Edge, Chrome, .NET and most desktop apps follow),
 * via `reg.exe` on HKCU\…\Internet Settings: `AutoConfigURL` set to our PAC URL and `ProxyEnable` 0,
 * so the PAC file alone decides and a manual proxy is not used beside it. HKCU is the key of whoever
 * runs this, so it must run as the signed-in user: a LocalSystem service would change SYSTEM's.
 *
 * Limits, written against Microsoft's documented reg.exe and unit-tested on what it runs:
 * - running apps see the change only after `InternetSetOption(INTERNET_OPTION_SETTINGS_CHANGED)` and
 *   `INTERNET_OPTION_REFRESH`, which reg.exe cannot send; apps started afterwards see it at once.
 * - the Settings app's view comes from the binary `Connections\DefaultConnectionSettings`, which is
 *   left alone (its format is undocumented), so it may show the old settings until WinINET rewrites it.
 */
import { win32 } from 'node:path';
import { z } from 'zod';
import { canRun, runChecked, type CommandRunner, type SavedSettings, type SystemProxyBackend, type SystemProxyTarget } from './system-proxy.js';

export const INTERNET_SETTINGS = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings';
/** The values apply changes or that decide what the user had; restored in this order. */
const VALUE_NAMES = ['ProxyServer', 'ProxyOverride', 'AutoConfigURL', 'ProxyEnable'] as const;
type ValueName = (typeof VALUE_NAMES)[number];

const RegType = z.enum(['REG_SZ', 'REG_EXPAND_SZ', 'REG_MULTI_SZ', 'REG_DWORD', 'REG_QWORD']);
/** `data` as `reg query` prints it (numbers in hex, "0x1"); null: the value did not exist, and a restore deletes it. */
const RegValue = z.object({ type: RegType, data: z.string() }).nullable();
const WindowsSaved = z.object({ ProxyServer: RegValue, ProxyOverride: RegValue, AutoConfigURL: RegValue, ProxyEnable: RegValue });
type WindowsValues = z.infer<typeof WindowsSaved>;

const HINT = "Run Waygate as the signed-in user: the proxy settings are in that user's registry (HKCU).";

/**
 * Our values from `reg query <key>`: the key's own values are the indented lines under its name
 * ("    Name    REG_TYPE    data"); subkeys follow as unindented names. Value names are not case-sensitive.
 */
export function parseRegQuery(stdout: string): WindowsValues {
  const values: WindowsValues = { ProxyServer: null, ProxyOverride: null, AutoConfigURL: null, ProxyEnable: null };
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^ {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(line);
    if (!match) continue;
    const name = VALUE_NAMES.find((candidate) => candidate.toLowerCase() === match[1]?.toLowerCase());
    if (!name) continue;
    const type = RegType.safeParse(match[2]);
    if (!type.success) throw new Error(`${INTERNET_SETTINGS}\\${name} has type ${match[2]}, which Waygate cannot restore; it left the proxy settings alone.`);
    values[name] = { type: type.data, data: match[3] ?? '' };
  }
  return values;
}

/** `reg add /d` takes numbers in decimal; `reg query` prints them in hex. */
function dataForAdd(value: NonNullable<WindowsValues[ValueName]>): string {
  if (value.type !== 'REG_DWORD' && value.type !== 'REG_QWORD') return value.data;
  if (!/^0x[0-9a-f]+$/i.test(value.data)) throw new Error(`A saved ${value.type} is not a hex number: ${JSON.stringify(value.data)}.`);
  return BigInt(value.data).toString(10);
}

export class WindowsProxyBackend implements SystemProxyBackend {
  readonly name = 'windows';
  readonly needs = 'reg.exe (part of Windows)';
  private readonly reg: string;

  constructor(
    private readonly run: CommandRunner,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    // By full path, so a reg.exe earlier in PATH (or the working directory) is never the one run.
    this.reg = env.SystemRoot ? win32.join(env.SystemRoot, 'System32', 'reg.exe') : 'reg.exe';
  }

  available(): Promise<boolean> {
    return canRun(this.run, this.reg, ['query', INTERNET_SETTINGS], this.env);
  }

  snapshot(): Promise<SavedSettings> {
    return this.query();
  }

  async apply(target: SystemProxyTarget): Promise<void> {
    await this.add('AutoConfigURL', 'REG_SZ', target.url);
    await this.add('ProxyEnable', 'REG_DWORD', '0');
  }

  async restore(saved: SavedSettings): Promise<void> {
    const values = WindowsSaved.parse(saved);
    const now = await this.query();
    for (const name of VALUE_NAMES) {
      const value = values[name];
      if (value !== null) await this.add(name, value.type, dataForAdd(value));
      else if (now[name] !== null) await runChecked(this.run, [this.reg, 'delete', INTERNET_SETTINGS, '/v', name, '/f'], HINT, this.env);
    }
  }

  private async query(): Promise<WindowsValues> {
    return parseRegQuery(await runChecked(this.run, [this.reg, 'query', INTERNET_SETTINGS], HINT, this.env));
  }

  private async add(name: ValueName, type: z.infer<typeof RegType>, data: string): Promise<void> {
    await runChecked(this.run, [this.reg, 'add', INTERNET_SETTINGS, '/v', name, '/t', type, '/d', data, '/f'], HINT, this.env);
  }
}
