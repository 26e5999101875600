import { buildHost } from '../../scripts/build-host.js';

/** Integration tests run the real `waygate` binary: build it once per run. */
export default async function setup(): Promise<void> {
  await buildHost();
}
