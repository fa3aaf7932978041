import { defineConfig } from 'vitest/config';

// Two projects: unit tests sit beside the code (src/**), integration tests in test/ talk to the
// real local stack (moto, FerretDB, Redis, clamd) that scripts/test.sh brings up first.
const resolve = { conditions: ['source', 'node', 'import', 'default'] };
// Workspace packages are TypeScript sources (the `source` export condition): vite must
// transform them instead of handing them to Node, which would look for dist/.
const server = { deps: { inline: [/@medvault\//] } };
const ssr = { resolve: { conditions: resolve.conditions, externalConditions: ['source'] } };
export default defineConfig({
  resolve,
  ssr,
  test: {
    projects: [
      {
        resolve,
        ssr,
        test: {
          server,
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'services/*/src/**/*.test.ts',
            'infra/**/src/**/*.test.ts',
            // Offline: renders the Helm chart with the checker infra/install.sh builds (no cluster).
            'deploy/test/**/*.test.ts',
            'bench/**/*.test.ts',
            // The web console's pure logic and components (component files opt into jsdom per file).
            'web/src/**/*.test.{ts,tsx}',
          ],
          environment: 'node',
        },
      },
      {
        resolve,
        ssr,
        test: {
          server,
          name: 'integration',
          include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'infra/test/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['./scripts/vitest-env.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // What a test polls for crosses real servers (a write, an event, a status change): 1 s,
          // vitest's default, is short on 2 cores shared with LocalStack and clamd.
          expect: { poll: { timeout: 15_000, interval: 100 } },
          fileParallelism: false,
        },
      },
      {
        resolve,
        ssr,
        test: {
          server,
          name: 'e2e',
          // Through the gateway only, against the running services (scripts/test.sh starts them).
          include: ['e2e/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['./scripts/vitest-env.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          expect: { poll: { timeout: 15_000, interval: 100 } },
          fileParallelism: false,
        },
      },
    ],
  },
});
