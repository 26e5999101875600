/**
 * `waygate`: the one host binary. Each subcommand is a process role: `service` (the daemon),
 * `native` (spawned by the browser), and the CLI commands that talk to the service's LocalAPI.
 */
import { Command, Option } from 'commander';
import { WaygateError } from '../protocol/errors.js';
import { DEFAULT_EXTENSION_IDS, installCommand, uninstallCommand, type InstallFlags } from './cli/install.js';
import { statusCommand } from './cli/status.js';
import { versionCommand } from './cli/version.js';
import { createLogger } from './log.js';
import { runNative } from './native/run-native.js';
import { ALL_BROWSERS } from './installers/browsers.js';
import { currentSocketPath } from './paths.js';
import { runService } from './service/run-service.js';
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
  .action(async (opts: { socket: string; operator?: string[] }) => {
    await runService({ socketPath: opts.socket, operatorUids: (opts.operator ?? []).map(parseUid), logger: createLogger('service') });
  });

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

installerOptions(program.command('install'))
  .description('register the native-messaging host so the Waygate extension can reach this device')
  .option('--extension-id <id...>', 'Chromium extension IDs allowed to connect', DEFAULT_EXTENSION_IDS)
  .option('--firefox-extension-id <id>', 'the Firefox add-on ID allowed to connect')
  .option('--socket <path>', 'LocalAPI socket the host should use (default: the standard one)')
  .action(async (flags: InstallFlags) => installCommand(flags, (line) => console.log(line)));

installerOptions(program.command('uninstall'))
  .description('remove the native-messaging host registration')
  .action(async (flags: InstallFlags) => uninstallCommand(flags, (line) => console.log(line)));

function parseUid(value: string): number {
  const uid = Number(value);
  if (!Number.isInteger(uid) || uid < 0) throw new WaygateError('BAD_REQUEST', `--operator takes numeric user ids; got "${value}".`);
  return uid;
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof WaygateError) {
    console.error(`waygate: ${err.message}`);
    process.exit(1);
  }
  throw err;
});
