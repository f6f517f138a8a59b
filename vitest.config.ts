import { defineConfig } from 'vitest/config';

/**
 * Workers for the database and browser tiers, which run as one group. Their
 * tests mostly wait (on PGlite, on Chromium's software WebGL, on polls), so
 * more workers than the 2 cores keep the machine busy; the two tiers must
 * share one count (vitest refuses a group with two).
 */
const workers = Number(process.env.CIVGRID_TEST_WORKERS ?? 2);

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
          maxWorkers: workers,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 1 },
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts', 'test/support/browser-server.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          maxWorkers: workers,
        },
      },
    ],
  },
});
