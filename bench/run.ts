/**
 * `npm run bench -- NAME`: runs bench/NAME.ts. Each benchmark measures Waygate against a baseline in
 * the same run and prints the ratio, since this machine's absolute numbers drift from run to run.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''));

const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME\navailable: ${available.join(', ')}`);
  process.exit(2);
}
await import(`./${name}.bench.ts`);
