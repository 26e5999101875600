import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOST_BUNDLE } from '../../scripts/build-host.js';
import { Status } from '../../protocol/localapi.js';
import { isolatedEnv, spawnWaygate, startServiceProcess, stopProcess, tempDir, type WaygateProcess } from '../support/waygate-process.js';

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [HOST_BUNDLE, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('waygate service and CLI', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let socket: string;
  const started: WaygateProcess[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('svc'));
    socket = join(dir, 'waygate.sock');
  });
  afterEach(async () => {
    for (const proc of started.splice(0)) await stopProcess(proc, 'SIGKILL');
    await cleanup();
  });

  it('serves status to `waygate status` and `waygate status --json`', async () => {
    started.push(await startServiceProcess(socket));
    const human = cli('status', '--socket', socket);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Waygate service \d+\.\d+\.\d+: running/);
    expect(human.stdout).toContain(`socket:     ${socket}`);

    const json = cli('status', '--json', '--socket', socket);
    expect(json.code).toBe(0);
    const status = Status.parse(JSON.parse(json.stdout));
    expect(status).toMatchObject({ state: 'running', pid: started[0]!.child.pid });
  });

  it('`waygate version` shows the client, and the service when one runs', async () => {
    expect(cli('version', '--socket', socket).stdout).toMatch(/^waygate \d+\.\d+\.\d+\nservice not running/);
    started.push(await startServiceProcess(socket));
    expect(cli('version', '--socket', socket).stdout).toMatch(/\nservice \d+\.\d+\.\d+ \(LocalAPI v1, linux\/x64, node 20\./);
  });

  it('says what to do when no service runs, and exits 1', () => {
    const result = cli('status', '--socket', socket);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`not reachable on ${socket}`);
    expect(result.stderr).toContain('Start it with `waygate service`');
  });

  it('refuses to start a second service on a live socket', async () => {
    started.push(await startServiceProcess(socket));
    const second = spawnWaygate(['service', '--socket', socket], isolatedEnv(dir));
    expect((await second.exited).code).toBe(1);
    expect(second.stderr()).toContain(`already running on ${socket}`);
    expect(cli('status', '--socket', socket).code).toBe(0);
  });

  it('replaces a socket file left by a crashed service, and removes its own on SIGTERM', async () => {
    const crashed = await startServiceProcess(socket);
    expect((await stopProcess(crashed, 'SIGKILL')).signal).toBe('SIGKILL');
    const service = await startServiceProcess(socket);
    expect(cli('status', '--socket', socket).code).toBe(0);
    expect(await stopProcess(service, 'SIGTERM')).toEqual({ code: 0, signal: null });
    expect(service.stderr()).toContain('service: stopped');
    expect(cli('status', '--socket', socket).stderr).toContain('ENOENT');
  });

  it('does not take over a path that is not a socket', async () => {
    await writeFile(socket, 'precious');
    const proc = spawnWaygate(['service', '--socket', socket], isolatedEnv(dir));
    expect((await proc.exited).code).toBe(1);
    expect(proc.stderr()).toContain('exists and is not a socket');
    expect(await readFile(socket, 'utf8')).toBe('precious');
  });

  it('prints help for every command', () => {
    for (const command of [[], ['service'], ['native'], ['status'], ['version']]) {
      const result = cli(...command, '--help');
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stdout).toContain('Usage: waygate');
    }
  });
});
