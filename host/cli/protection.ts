/**
 * `waygate logout | disable | enable | sync`: the user's protection actions. Where the profile sets
 * a password the service asks for it (PASSWORD_REQUIRED); the CLI then prompts on a terminal, or
 * takes --password / --code for scripts.
 */
import { createInterface } from 'node:readline/promises';
import { WaygateError } from '../../protocol/errors.js';
import type { Status, Unlock } from '../../protocol/localapi.js';
import { LocalApiClient } from '../client/localapi-client.js';

export interface UnlockFlags {
  password?: string;
  code?: string;
}

async function withClient<T>(socketPath: string, run: (client: LocalApiClient) => Promise<T>): Promise<T> {
  const client = new LocalApiClient(socketPath);
  try {
    return await run(client);
  } finally {
    await client.close();
  }
}

/** Runs a guarded action; when the service asks for a password and a person is at the terminal, asks once. */
async function guarded(run: (unlock: Unlock) => Promise<Status>, flags: UnlockFlags): Promise<Status> {
  const unlock: Unlock = { ...(flags.password ? { password: flags.password } : {}), ...(flags.code ? { code: flags.code } : {}) };
  try {
    return await run(unlock);
  } catch (err) {
    if (!(err instanceof WaygateError) || err.code !== 'PASSWORD_REQUIRED' || !process.stdin.isTTY) throw err;
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`${err.message}\nPassword (or one-time code): `);
    rl.close();
    return run(/^\d{6,}$/.test(answer.trim()) ? { code: answer.trim() } : { password: answer });
  }
}

export function logoutCommand(socketPath: string, flags: UnlockFlags): Promise<string> {
  return withClient(socketPath, async (client) => {
    await guarded((unlock) => client.request('logout', unlock), flags);
    return 'Signed out. Nothing is forwarded until you sign in again.';
  });
}

export function disableCommand(socketPath: string, flags: UnlockFlags & { minutes?: number }): Promise<string> {
  return withClient(socketPath, async (client) => {
    const status = await guarded((unlock) => client.request('disable', { ...unlock, ...(flags.minutes ? { minutes: flags.minutes } : {}) }), flags);
    return `Protection is off until ${status.protection.disabledUntil ?? 'you turn it on'}; \`waygate enable\` turns it back on now.`;
  });
}

export function enableCommand(socketPath: string): Promise<string> {
  return withClient(socketPath, async (client) => `Protection: ${(await client.request('enable', {})).protection.reason}`);
}

export function syncCommand(socketPath: string): Promise<string> {
  return withClient(socketPath, async (client) => {
    const { config } = await client.request('sync', {});
    if (config.lastError) throw WaygateError.fromWire(config.lastError);
    return `Policy version ${config.policyVersion ?? 'none'}, synced at ${config.syncedAt ?? 'never'}.`;
  });
}

export function explainCommand(socketPath: string, url: string, json: boolean): Promise<string> {
  return withClient(socketPath, async (client) => {
    const answer = await client.request('explain', { url });
    if (json) return JSON.stringify(answer, null, 2);
    const where = answer.route.kind === 'edge' ? `through edge ${answer.route.edgeId} (${answer.route.proxy})` : answer.route.kind;
    return [`${answer.url} goes ${where}.`, ...answer.reasons.map((reason) => `  - ${reason}`)].join('\n');
  });
}
