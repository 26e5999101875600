/**
 * Bundles the edge into dist/cloud/waygate-edge.mjs. koffi (the TUN device) is a native module and
 * stays external.
 */
import { fileURLToPath } from 'node:url';
import { bundleNodeProgram } from './bundle-node.js';

export const EDGE_BUNDLE = fileURLToPath(new URL('../dist/cloud/waygate-edge.mjs', import.meta.url));

export function buildEdgeBundle(outfile = EDGE_BUNDLE): Promise<string> {
  return bundleNodeProgram({
    entry: fileURLToPath(new URL('../cloud/edge/main.ts', import.meta.url)),
    outfile,
    external: ['koffi'],
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildEdgeBundle()}`);
}
