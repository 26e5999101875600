import { buildEdgeBundle } from '../../scripts/build-edge.js';
import { buildHost } from '../../scripts/build-host.js';

/** Integration tests run the real `waygate` and `waygate-edge` programs: build them once per run. */
export default async function setup(): Promise<void> {
  await Promise.all([buildHost(), buildEdgeBundle()]);
}
