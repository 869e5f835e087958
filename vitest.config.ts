import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'conformance', include: ['tests/conformance/**/*.test.ts'] } },
      // fast-check over the public API, against every store of tests/support/store-factories.ts.
      // Fixed small budget here; EVENTYARD_PROPERTY_RUNS=<n> for a long run.
      { extends: true, test: { name: 'property', include: ['tests/property/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'system',
          include: ['tests/system/**/*.test.ts'],
          // Stress, crash and restart tests fork processes and own servers: one file at a time.
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 600_000,
        },
      },
    ],
  },
});
