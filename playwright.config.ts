import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from './tests/helpers/chromium-args';

// End-to-end tests. 'browser': browser mode (`insights serve`) driven by the system Chromium through
// playwright-core (no Playwright browser download). 'electron': the desktop app through Playwright's
// _electron; it reports itself skipped where the Electron binary is not installed.
// Both need the build first: `npm run build` (npm test does it).

export default defineConfig({
  outputDir: 'test-results/artifacts',
  // The machine is small and each test starts its own server: one worker keeps timings honest.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI
    ? [['list']]
    : [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: [
    {
      name: 'browser',
      testDir: 'tests/e2e',
      use: {
        browserName: 'chromium',
        headless: true,
        viewport: { width: 1440, height: 900 },
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
          args: CHROMIUM_ARGS,
        },
      },
    },
    { name: 'electron', testDir: 'tests/electron' },
  ],
});
