import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'conformance', include: ['tests/conformance/**/*.test.ts'] } },
      // Drives Debian's Chromium (/usr/bin/chromium) through playwright-core.
      {
        extends: true,
        // expect.poll waits up to 10 s: the page refreshes on timers and the machine may be loaded.
        test: { name: 'browser', include: ['tests/browser/**/*.test.ts'], expect: { poll: { timeout: 10_000 } } },
      },
      // fast-check over the public API, against every store of tests/support/store-factories.ts.
      // Fixed small budget here; EVENTYARD_PROPERTY_RUNS=<n> for a long run.
      { extends: true, test: { name: 'property', include: ['tests/property/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'system',
          include: ['tests/system/**/*.test.ts'],
          // Stress, crash and restart tests fork processes and own servers: one file at a time.
          fileParallelism: false,
          // Fault tests start private servers and pause networks on a shared 2-core machine,
          // where a server's start or a timer can slip past its bound under load: one retry,
          // reported by the runner as a flaky pass, never a silent skip. A failure that
          // repeats fails the run.
          retry: 1,
          testTimeout: 600_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'package',
          include: ['tests/package/**/*.test.ts'],
          // Packs the checkout once and installs the tarball per Node version (native builds).
          fileParallelism: false,
          testTimeout: 900_000,
        },
      },
    ],
  },
});
