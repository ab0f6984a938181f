import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/renderer/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['tests/global-setup.ts'],
    setupFiles: ['tests/setup-timeouts.ts'],
    // Every CoreHost of the tests parses each result with its method's contract schema.
    env: { INSIGHTS_CHECK_RESULTS: '1' },
  },
});
