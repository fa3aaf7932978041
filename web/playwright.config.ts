import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// The local stack's configuration (gateway port, bootstrap admin), without overriding the caller's.
const envFile = new URL('../infra/env/local.env', import.meta.url);
if (existsSync(envFile)) process.loadEnvFile(envFile);

/** Where npm test keeps artifacts (screenshots, traces of failures); never committed. */
export const RESULTS = new URL('../.local/test-results/', import.meta.url).pathname;
/** Debian's Chromium (infra/install.sh installs it): Playwright's own download is not used. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  outputDir: `${RESULTS}browser`,
  // One browser at a time: the machine and the stack are shared; stories depend on the pipeline.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['json', { outputFile: `${RESULTS}browser.json` }]],
  use: {
    baseURL: process.env.E2E_GATEWAY_URL ?? `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 8080}`,
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    acceptDownloads: true,
    actionTimeout: 20_000,
    launchOptions: {
      executablePath: CHROMIUM,
      // Root in CI containers: Chromium's sandbox needs user namespaces it may not have.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
  },
  projects: [{ name: 'chromium' }],
});
