import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, expect, type Page, test } from '@playwright/test';
import type { InsightsBridge } from '../../src/shared/bridge';

/** The page's globals as the tests see them (this file compiles without the DOM library). */
type PageGlobals = {
  insights?: InsightsBridge;
  require?: unknown;
  process?: unknown;
  location: { href: string };
};

// The desktop app itself, through Playwright's _electron. Where the Electron binary is not installed
// (offline installs, CI, the machine this was written on) every test here reports "skipped".

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function electronBinary(): string | null {
  try {
    const bin = createRequire(import.meta.url)('electron') as unknown;
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : null;
  } catch {
    return null; // node_modules/electron throws when its download was skipped
  }
}

const electronPath = electronBinary();
test.skip(!electronPath, 'Electron binary not installed');
test.skip(
  process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY,
  'no display: run under xvfb-run',
);

let app: ElectronApplication;
let page: Page;
let dataDir: string;

test.beforeAll(async () => {
  test.setTimeout(10 * 60_000); // the first run compiles better-sqlite3 for Electron
  const { ensureElectronNative } = await import('../../scripts/electron-native.mjs');
  await ensureElectronNative();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-electron-'));
  app = await _electron.launch({
    executablePath: electronPath!,
    // Chromium refuses to start as root with its OS sandbox (CI containers); the renderer sandbox
    // of the app (sandbox: true, contextIsolation) is unaffected.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), ROOT],
    cwd: ROOT,
    env: { ...process.env, INSIGHTS_DATA_DIR: dataDir, INSIGHTS_PORT: '0', ELECTRON_ENABLE_LOGGING: '1' },
  });
  page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
});

test.afterAll(async () => {
  await app?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the app window opens on the renderer and the core answers over IPC', async () => {
  await expect(page).toHaveTitle(/Insights/);
  // Each method answers the CallResult as JSON text (the HTTP API's body).
  const info = JSON.parse(
    await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).insights!.methods['app.info']('default', {}),
    ),
  );
  expect(info).toMatchObject({ ok: true, value: { mode: 'electron', dataDir } });
  // A worker-lane call: SQLite opened through the Electron build of better-sqlite3.
  const list = JSON.parse(
    await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).insights!.methods['workspaces.list']('default', {}),
    ),
  );
  expect(list).toMatchObject({ ok: true, value: expect.any(Array), handlerMs: expect.any(Number) });
  fs.mkdirSync(path.join(ROOT, 'test-results', 'screenshots'), { recursive: true });
  await page.screenshot({ path: path.join(ROOT, 'test-results', 'screenshots', 'electron-app.png') });
});

test('the page sees no Node and no ipcRenderer: only the narrow bridge', async () => {
  const globals = await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    return {
      require: typeof g.require,
      process: typeof g.process,
      bridgeKeys: Object.keys(g.insights ?? {}).sort(),
    };
  });
  expect(globals).toEqual({
    require: 'undefined',
    process: 'undefined',
    bridgeKeys: ['methods', 'onEvent', 'shell'],
  });
});

test('navigation away from the app is refused and non-https links are not opened', async () => {
  const before = page.url();
  await page.evaluate(() => {
    (globalThis as unknown as PageGlobals).location.href = 'http://example.com/';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toBe(before);
  await expect(
    page.evaluate(() =>
      (globalThis as unknown as PageGlobals).insights!.shell.openExternal('file:///etc/passwd'),
    ),
  ).rejects.toThrow(/https/);
});
