import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { buildEdgeBundle } from '../../scripts/build-edge.js';
import { buildExtension } from '../../scripts/build-extension.js';
import { buildHost } from '../../scripts/build-host.js';
import { CHROMIUM_PATH } from '../support/browser.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the browser suite cannot run here, or null when it can. */
    browserMissing: string | null;
  }
}

/** Browser tests run the built extension, host and edge: build them once per run, and find Chromium. */
export default async function setup(project: TestProject): Promise<void> {
  const missing = existsSync(CHROMIUM_PATH) ? null : `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium)`;
  if (missing && process.env.CI === 'true') throw new Error(`${missing}: the browser suite must run in CI.`);
  if (missing) console.warn(`Skipping the browser suite: ${missing}.`);
  project.provide('browserMissing', missing);
  await Promise.all([buildHost(), buildEdgeBundle(), buildExtension()]);
}
