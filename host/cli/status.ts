/** `waygate status`: the service's status, for people or (--json) for scripts. */
import type { Status } from '../../protocol/localapi.js';
import { LocalApiClient } from '../client/localapi-client.js';

const MODE_LABEL: Record<Status['mode'], string> = {
  system: 'system service',
  user: 'user mode (no full-device tunnel)',
};

export function formatStatus(status: Status, socketPath: string): string {
  return [
    `Waygate service ${status.version}: ${status.state}`,
    `  mode:     ${MODE_LABEL[status.mode]}`,
    `  pid:      ${status.pid}`,
    `  since:    ${status.startedAt}`,
    `  socket:   ${socketPath}`,
  ].join('\n');
}

export async function statusCommand(socketPath: string, json: boolean): Promise<string> {
  const client = new LocalApiClient(socketPath);
  try {
    const status = await client.status();
    return json ? JSON.stringify(status, null, 2) : formatStatus(status, socketPath);
  } finally {
    await client.close();
  }
}
