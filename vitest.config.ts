import { defineConfig } from 'vitest/config';

// Three tiers (see CONVENTIONS.md): unit tests beside the code, integration
// tests against a real PostGIS (embedded by default, a server when
// DATABASE_URL is set), and browser end-to-end tests in headless Chromium.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['test/support/**/*.test.ts', 'db/src/**/*.test.ts', 'server/src/**/*.test.ts', 'tiles/src/**/*.test.ts', 'web/src/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 240_000,
          // PGlite instances are memory-hungry and the machine has two cores
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts', 'test/support/browser-server.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          maxWorkers: 1,
        },
      },
    ],
  },
});
