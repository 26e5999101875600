/**
 * Bundles the host into dist/host/waygate.mjs (koffi, a native module, stays external) and the PAC
 * worker beside it, dist/host/pac-worker.mjs: the local proxy runs each PAC in a worker thread it
 * can terminate (host/proxy/pac-sandbox.ts), which needs its own module file.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleNodeProgram } from './bundle-node.js';

export const HOST_BUNDLE = fileURLToPath(new URL('../dist/host/waygate.mjs', import.meta.url));

export async function buildHost(outfile = HOST_BUNDLE): Promise<string> {
  await bundleNodeProgram({
    entry: fileURLToPath(new URL('../host/proxy/pac-worker.ts', import.meta.url)),
    outfile: join(dirname(outfile), 'pac-worker.mjs'),
    external: ['koffi'],
  });
  return bundleNodeProgram({
    entry: fileURLToPath(new URL('../host/main.ts', import.meta.url)),
    outfile,
    external: ['koffi'],
    // ws's optional native helpers are not shipped; tell it not to look for them.
    define: { 'process.env.WS_NO_BUFFER_UTIL': '"1"', 'process.env.WS_NO_UTF_8_VALIDATE': '"1"' },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildHost()}`);
}
