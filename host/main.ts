/**
 * `waygate`: the one host binary. Each subcommand is a process role: `service` (the daemon),
 * `native` (spawned by the browser), and the CLI commands that talk to the service's LocalAPI.
 */
import { Command, Option } from 'commander';
import { WaygateError } from '../protocol/errors.js';
import { statusCommand } from './cli/status.js';
import { versionCommand } from './cli/version.js';
import { createLogger } from './log.js';
import { runNative } from './native/run-native.js';
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
