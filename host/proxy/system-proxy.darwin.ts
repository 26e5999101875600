/**
 * macOS proxy settings via `networksetup`, per network service (Wi-Fi, Ethernet…): "Automatic proxy
 * configuration" with our PAC URL on every enabled service. Changing them needs an administrator,
 * so this backend runs in the root service (LaunchDaemon).
 *
 * Written against Apple's documented commands (networksetup(8)) and unit-tested on what it runs:
 *   -listallnetworkservices          a header line, then one service per line, "*" before disabled ones
 *   -getautoproxyurl <service>       "URL: <url or (null)>" and "Enabled: Yes|No"
 *   -setautoproxyurl <service> <url> sets the URL (and turns it on)
 *   -setautoproxystate <service> on|off
 *
 * Limits: networksetup cannot clear a URL, so a service that had none keeps ours, turned off; and a
 * service added while ours is applied is not in the snapshot, so a restore leaves it as it is.
 */
import { z } from 'zod';
import { canRun, runChecked, SystemProxyCommandError, type CommandRunner, type SavedSettings, type SystemProxyBackend, type SystemProxyTarget } from './system-proxy.js';

const NETWORKSETUP = '/usr/sbin/networksetup';
const HINT = 'Waygate must run as root (its LaunchDaemon) to change the network services\u2019 proxy settings.';
/** networksetup reports some failures on stdout with exit status 0. */
const ERROR_OUTPUT = /^\*\* Error|is not a recognized network service|requires admin/im;

const MacosSaved = z.object({
  services: z.array(z.object({ name: z.string().min(1), url: z.string().nullable(), enabled: z.boolean() })),
});
type ServiceSettings = z.infer<typeof MacosSaved>['services'][number];

/** The enabled services' names from `-listallnetworkservices`: the first line is an explanation, not a service. */
export function parseNetworkServices(stdout: string): string[] {
  return stdout
    .split(/\r?\n/)
    .slice(1)
    .filter((line) => line.trim() !== '' && !line.startsWith('*'));
}

/** `-getautoproxyurl` output; "(null)" is how networksetup says there is no URL. */
export function parseAutoProxyUrl(stdout: string): { url: string | null; enabled: boolean } {
  const url = /^URL: (.*)$/m.exec(stdout)?.[1]?.trim();
  const enabled = /^Enabled: (\w+)$/m.exec(stdout)?.[1];
  if (url === undefined || enabled === undefined) throw new Error(`Unexpected output from networksetup -getautoproxyurl: ${JSON.stringify(stdout)}`);
  return { url: url === '' || url === '(null)' ? null : url, enabled: enabled === 'Yes' };
}

export class MacosProxyBackend implements SystemProxyBackend {
  readonly name = 'macos';
  readonly needs = `${NETWORKSETUP} (part of macOS)`;

  constructor(
    private readonly run: CommandRunner,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  available(): Promise<boolean> {
    return canRun(this.run, NETWORKSETUP, ['-listallnetworkservices'], this.env);
  }

  async snapshot(): Promise<SavedSettings> {
    const services: ServiceSettings[] = [];
    for (const name of await this.services()) {
      services.push({ name, ...parseAutoProxyUrl(await this.networksetup('-getautoproxyurl', name)) });
    }
    return { services };
  }

  async apply(target: SystemProxyTarget): Promise<void> {
    for (const name of await this.services()) {
      await this.networksetup('-setautoproxyurl', name, target.url);
      await this.networksetup('-setautoproxystate', name, 'on');
    }
  }

  /** Services that no longer exist are skipped: there is nothing left to restore on them. */
  async restore(saved: SavedSettings): Promise<void> {
    const present = new Set(await this.services());
    for (const service of MacosSaved.parse(saved).services) {
      if (!present.has(service.name)) continue;
      if (service.url !== null) await this.networksetup('-setautoproxyurl', service.name, service.url);
      await this.networksetup('-setautoproxystate', service.name, service.enabled ? 'on' : 'off');
    }
  }

  private async services(): Promise<string[]> {
    return parseNetworkServices(await this.networksetup('-listallnetworkservices'));
  }

  private async networksetup(...args: [string, ...string[]]): Promise<string> {
    const argv = [NETWORKSETUP, ...args] as const;
    const stdout = await runChecked(this.run, argv, HINT, this.env);
    if (ERROR_OUTPUT.test(stdout)) throw new SystemProxyCommandError(argv, { code: 0, stdout, stderr: '' }, HINT);
    return stdout;
  }
}
