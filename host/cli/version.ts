/** `waygate version`: this program's version and, when one answers, the running service's. */
import { WaygateError } from '../../protocol/errors.js';
import type { VersionInfo } from '../../protocol/localapi.js';
import { LocalApiClient } from '../client/localapi-client.js';
import { WAYGATE_VERSION } from '../version.js';

export async function versionCommand(socketPath: string, json: boolean): Promise<string> {
  const client = new LocalApiClient(socketPath, 2000);
  let service: VersionInfo | null = null;
  let unreachable: string | null = null;
  try {
    service = await client.version();
  } catch (err) {
    if (!(err instanceof WaygateError)) throw err;
    unreachable = err.message;
  } finally {
    await client.close();
  }
  if (json) return JSON.stringify({ client: WAYGATE_VERSION, service, ...(unreachable ? { serviceError: unreachable } : {}) }, null, 2);
  const serviceLine = service
    ? `service ${service.version} (LocalAPI v${service.localapi}, ${service.platform}/${service.arch}, node ${service.node})`
    : 'service not running';
  return `waygate ${WAYGATE_VERSION}\n${serviceLine}`;
}
