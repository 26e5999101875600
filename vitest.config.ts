import { defineConfig } from 'vitest/config';

/**
 * Three suites: `unit` (pure logic, no processes), `integration` (real processes on loopback and
 * Unix sockets), `e2e` (real headless Chromium with the built extension). `npm test` runs the first
 * two; `npm run test:all` runs all of them.
 */
/**
 * Tests never send traffic off the machine: services they start (and those the browser's native host
 * starts) make no captive-portal probe unless a test gives them a local one, and their local proxies
 * take any free port instead of racing for the default one.
 */
const env = { WAYGATE_CAPTIVE_PROBE_URL: 'off', WAYGATE_LOCAL_PROXY_PORT: '0' };

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', env } },
      {
        test: {
          name: 'integration',
          env,
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          env,
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One browser at a time: two cores, and each test file runs its own Chromium.
          fileParallelism: false,
          // After the other suites, not beside them: a browser flow starved of CPU by the namespace
          // and fuzz suites once took longer than its hook timeout.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
