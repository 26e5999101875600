/**
 * A private Squid instance for the edge-proxy benchmark: its own config, service name, pid file and
 * logs in a temp dir (handed to the `proxy` user Squid drops to), one worker, no caching, the access
 * log on (Debian's default `daemon:` logger), CONNECT and plain HTTP allowed from 127.0.0.1 only.
 * `stop` ends it by PID and removes the dir.
 */
import { execFile, spawn } from 'node:child_process';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Squid {
  port: number;
  pid: number;
  version: string;
  /** The settings this instance runs with, for the results. */
  config: string;
  stop(): Promise<void>;
}

/** A port nothing listens on right now: Squid cannot listen on 0 and tell us the port. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function squidConfig(dir: string, port: number): string {
  return `http_port 127.0.0.1:${port}
workers 1
acl bench src 127.0.0.1/32
http_access allow bench
http_access deny all
cache deny all
cache_mem 8 MB
access_log daemon:${dir}/access.log squid
cache_log ${dir}/cache.log
cache_store_log none
pid_filename ${dir}/squid.pid
coredump_dir ${dir}
netdb_filename none
shutdown_lifetime 1 seconds
`;
}

export async function startSquid(): Promise<Squid> {
  const dir = await mkdtemp(join(tmpdir(), 'waygate-bench-squid-'));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  try {
    const { stdout: uid } = await run('id', ['-u', 'proxy']);
    const { stdout: gid } = await run('id', ['-g', 'proxy']);
    await chown(dir, Number(uid), Number(gid));
    const { stdout: versionText } = await run('squid', ['-v']);
    const version = /Version (\S+)/.exec(versionText)?.[1] ?? 'unknown';
    const port = await freePort();
    const config = squidConfig(dir, port);
    const conf = join(dir, 'squid.conf');
    await writeFile(conf, config);
    const child = spawn('squid', ['-N', '-f', conf, '-n', `waygatebench${process.pid}x${port}`], { stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await removeDir();
    };
    for (let i = 0; i < 100 && !(await accepts(port)); i++) {
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (child.pid === undefined || !(await accepts(port))) {
      await stop();
      throw new Error(`squid did not start on port ${port}`);
    }
    return { port, pid: child.pid, version, config, stop };
  } catch (err) {
    await removeDir();
    throw err;
  }
}
