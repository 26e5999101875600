/**
 * Runs a PAC for one URL, the way a browser would, to explain where a request goes. QuickJS in
 * WebAssembly (pac-resolver) keeps the script away from the service's process and files; each
 * evaluation gets its own engine, a memory cap and a deadline, so a hostile or broken PAC yields an
 * error, never a hung service.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createPacResolver } from 'pac-resolver';
import { QuickJS } from 'quickjs-wasi';
import { WaygateError } from '../../protocol/errors.js';

const MEMORY_LIMIT_BYTES = 32 * 1024 * 1024;
const DEADLINE_MS = 1_000;

let wasm: Promise<WebAssembly.Module> | null = null;

/** The engine's WebAssembly, compiled once; resolved from node_modules so it also works from the bundle. */
function quickJsModule(): Promise<WebAssembly.Module> {
  // The package does not export the .wasm path; it sits beside dist/, where its own loader finds it.
  const entry = createRequire(import.meta.url).resolve('quickjs-wasi');
  wasm ??= readFile(join(dirname(entry), '..', 'quickjs.wasm')).then((bytes) => WebAssembly.compile(bytes));
  return wasm;
}

export async function evaluatePac(script: string, url: string): Promise<string> {
  const deadline = Date.now() + DEADLINE_MS;
  const vm = await QuickJS.create({ wasm: await quickJsModule(), memoryLimit: MEMORY_LIMIT_BYTES, interruptHandler: () => Date.now() > deadline });
  try {
    const findProxy = createPacResolver(vm, script);
    return await Promise.race([
      findProxy(url),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), DEADLINE_MS).unref()),
    ]);
  } catch (err) {
    throw new WaygateError('BAD_REQUEST', `The PAC could not be evaluated for ${url}: ${err instanceof Error ? err.message : String(err)}.`);
  } finally {
    vm.dispose();
  }
}
