/**
 * `waygate`: the one host binary. Each subcommand is a process role: `service` (the daemon),
 * `native` (spawned by the browser), and the CLI commands that talk to the service's LocalAPI.
 */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { WaygateError } from '../protocol/errors.js';
import { DEFAULT_EXTENSION_IDS, installCommand, uninstallCommand, type InstallFlags } from './cli/install.js';
import { addPolicyOptions, installPolicyCommand, uninstallPolicyCommand, type PolicyFlags } from './cli/install-policy.js';
import { addServiceOptions, installServiceCommand, uninstallServiceCommand, type ServiceFlags } from './cli/install-service.js';
import { loginCommand, type LoginFlags } from './cli/login.js';
import { disableCommand, enableCommand, explainCommand, logoutCommand, syncCommand, type UnlockFlags } from './cli/protection.js';
import { statusCommand } from './cli/status.js';
import { versionCommand } from './cli/version.js';
import { createLogger } from './log.js';
import { runNative } from './native/run-native.js';
import { ALL_BROWSERS } from './installers/browsers.js';
import { currentSocketPath } from './paths.js';
import { runService } from './service/run-service.js';
import { captiveProbeSetting } from './service/service.js';
import type { SystemProxyChoice } from './service/system-proxy-choice.js';
import { WAYGATE_VERSION } from './version.js';

const socketOption = () => new Option('--socket <path>', 'LocalAPI socket of the service').default(currentSocketPath());

const program = new Command('waygate')
  .description('Waygate client connector: sends this device’s traffic through your organisation’s edge.')
  .version(WAYGATE_VERSION, '-V, --cli-version', 'print the CLI version')
  .showHelpAfterError();

program
  .command('service')
  .description('run the Waygate service (the daemon that owns all state)')
  .addOption(socketOption())
  .option('--operator <uid...>', 'local user ids allowed to change settings besides root and the service user')
  .option('--state-dir <dir>', 'where the enrollment and the cached config live (default: per mode; env WAYGATE_STATE_DIR)')
  .option('--portal-url <url>', 'the portal `waygate login` uses when it names none (env WAYGATE_PORTAL_URL)')
  .addOption(
    new Option('--system-proxy <choice>', 'set the desktop proxy for other apps: auto (user mode only), on, off').choices(['auto', 'on', 'off']).default('auto'),
  )
  .option('--captive-probe-url <url>', 'captive-portal probe that answers 204 (env WAYGATE_CAPTIVE_PROBE_URL; "off" to disable)')
  .option('--capport-url <url>', 'the RFC 8908 captive-portal API of this network, when known')
  .option('--local-proxy-port <port>', 'the local proxy on 127.0.0.1 (local-proxy action; another free port when taken; env WAYGATE_LOCAL_PROXY_PORT)')
  .action(async (opts: { socket: string; operator?: string[]; stateDir?: string; portalUrl?: string; systemProxy: SystemProxyChoice; captiveProbeUrl?: string; capportUrl?: string; localProxyPort?: string }) => {
    const localProxyPort = opts.localProxyPort ?? process.env.WAYGATE_LOCAL_PROXY_PORT;
    await runService({
      socketPath: opts.socket,
      operatorUids: (opts.operator ?? []).map(parseUid),
      logger: createLogger('service'),
      systemProxy: opts.systemProxy,
      ...(opts.stateDir ? { stateDir: resolve(opts.stateDir) } : {}),
      ...(opts.portalUrl ? { portalUrl: opts.portalUrl } : {}),
      captiveProbeUrl: captiveProbeSetting(opts.captiveProbeUrl, process.env),
      ...(opts.capportUrl ? { capportUrl: opts.capportUrl } : {}),
      ...(localProxyPort === undefined ? {} : { localProxyPort: parsePort(localProxyPort) }),
    });
  });

program
  .command('login')
  .description('sign this device in to your organisation (opens a code to approve in the portal)')
  .addOption(socketOption())
  .option('--portal-url <url>', 'your organisation’s Waygate portal')
  .option('--enrollment-token <token>', 'enroll without a browser step (managed devices; needs --user-email)')
  .option('--user-email <email>', 'who the device is enrolled for, with --enrollment-token')
  .option('--device-name <name>', 'how the device appears in the portal (default: the host name)')
  .option('--no-qr', 'do not print a QR code')
  .action(async (opts: { socket: string } & LoginFlags) => {
    await loginCommand(opts.socket, opts, (line) => console.log(line));
  });

const unlockOptions = (command: Command) =>
  command.option('--password <password>', 'the password your organisation set for this').option('--code <code>', 'a one-time code from your administrator');

unlockOptions(program.command('logout').description('sign this device out (may need the logout password)').addOption(socketOption())).action(
  async (opts: { socket: string } & UnlockFlags) => console.log(await logoutCommand(opts.socket, opts)),
);

unlockOptions(program.command('disable').description('turn protection off for a while (may need the disable password)').addOption(socketOption()))
  .option('--minutes <n>', 'for how long (at most what the profile allows)', (value) => parsePositive(value, '--minutes'))
  .action(async (opts: { socket: string; minutes?: number } & UnlockFlags) => console.log(await disableCommand(opts.socket, opts)));

program
  .command('enable')
  .description('turn protection back on')
  .addOption(socketOption())
  .action(async (opts: { socket: string }) => console.log(await enableCommand(opts.socket)));

program
  .command('sync')
  .description('fetch the latest policy from the portal now')
  .addOption(socketOption())
  .action(async (opts: { socket: string }) => console.log(await syncCommand(opts.socket)));

program
  .command('explain')
  .description('say where a URL’s traffic goes right now, and why')
  .argument('<url>', 'the URL to explain')
  .addOption(socketOption())
  .option('--json', 'print as JSON')
  .action(async (url: string, opts: { socket: string; json?: boolean }) => console.log(await explainCommand(opts.socket, url, opts.json === true)));

program
  .command('native')
  .description('native-messaging bridge between the browser extension and the service (started by the browser)')
  .argument('[origin]', 'the extension origin the browser passes')
  .addOption(socketOption())
  .allowUnknownOption()
  .action(async (origin: string | undefined, opts: { socket: string }) => {
    process.exit(await runNative({ socketPath: opts.socket, logger: createLogger('native'), origin }));
  });

program
  .command('status')
  .description('show the service status')
  .addOption(socketOption())
  .option('--json', 'print the status as JSON')
  .action(async (opts: { socket: string; json?: boolean }) => {
    console.log(await statusCommand(opts.socket, opts.json === true));
  });

program
  .command('version')
  .description('show the version of this program and of the running service')
  .addOption(socketOption())
  .option('--json', 'print as JSON')
  .action(async (opts: { socket: string; json?: boolean }) => {
    console.log(await versionCommand(opts.socket, opts.json === true));
  });

function installerOptions(command: Command): Command {
  return command
    .addOption(new Option('--scope <scope>', 'for this user, or for every user (needs root)').choices(['user', 'system']).default('user'))
    .addOption(new Option('--browser <name...>', 'only these browsers (default: all)').choices([...ALL_BROWSERS]))
    .option('--user-data-dir <dir>', 'a Chromium profile directory to register in (instead of the browser default)')
    .option('--dry-run', 'print every action without doing it');
}

addServiceOptions(addPolicyOptions(installerOptions(program.command('install'))), 'install')
  .description('register the native-messaging host so the Waygate extension can reach this device (--policy: browser policy; --service: the system service)')
  .option('--extension-id <id...>', 'Chromium extension IDs allowed to connect', DEFAULT_EXTENSION_IDS)
  .option('--firefox-extension-id <id>', 'the Firefox add-on ID allowed to connect')
  .option('--socket <path>', 'LocalAPI socket the host should use (default: the standard one)')
  .action(async (flags: InstallFlags & PolicyFlags & ServiceFlags) => {
    const log = (line: string) => console.log(line);
    if (flags.policy && flags.service) throw new WaygateError('BAD_REQUEST', 'Give --policy or --service, not both.');
    await (flags.service ? installServiceCommand(flags, log) : flags.policy ? installPolicyCommand(flags, log) : installCommand(flags, log));
  });

addServiceOptions(addPolicyOptions(installerOptions(program.command('uninstall')), 'uninstall'), 'uninstall')
  .description('remove the native-messaging host registration (--policy: the browser policy; --service: the system service)')
  .action(async (flags: InstallFlags & PolicyFlags & ServiceFlags) => {
    const log = (line: string) => console.log(line);
    if (flags.policy && flags.service) throw new WaygateError('BAD_REQUEST', 'Give --policy or --service, not both.');
    await (flags.service ? uninstallServiceCommand(flags, log) : flags.policy ? uninstallPolicyCommand(flags, log) : uninstallCommand(flags, log));
  });

function parsePositive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new WaygateError('BAD_REQUEST', `${flag} takes a whole number above 0; got "${value}".`);
  return n;
}

function parseUid(value: string): number {
  const uid = Number(value);
  if (!Number.isInteger(uid) || uid < 0) throw new WaygateError('BAD_REQUEST', `--operator takes numeric user ids; got "${value}".`);
  return uid;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new WaygateError('BAD_REQUEST', `--local-proxy-port takes a port number (0 for any free one); got "${value}".`);
  return port;
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof WaygateError) {
    console.error(`waygate: ${err.message}`);
    process.exit(1);
  }
  throw err;
});
