import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';
import type { ArgsOf, CallResult, MethodName, ResultOf } from '../../src/shared/contract';
import { ApiError } from '../../src/shared/contract/errors';

// The browser-mode harness: every test gets its own `insights serve` on a temp data folder and a
// free port, a page already open on it, and a typed `api()` for the same HTTP API the page uses
// (so a test can compare what the screen shows with what the core answers).

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');

export interface BrowserModeServer {
  /** The page URL, with the API token in the fragment as `serve` prints it. */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  token: string;
  dataDir: string;
}

export type E2eApi = <M extends MethodName>(
  method: M,
  args: ArgsOf<M>,
  workspace?: string,
) => Promise<ResultOf<M>>;

interface Fixtures {
  server: BrowserModeServer;
  /**
   * Console errors and warnings (and uncaught page errors) seen so far; any left at the end fails the test.
   * A test that provokes one on purpose removes what it expected with `consoleProblems.take(pattern)`.
   */
  consoleProblems: ConsoleProblems;
  api: E2eApi;
  /** Saves a full-page screenshot as test-results/screenshots/<name>.png and returns the path. */
  saveScreenshot: (name: string) => Promise<string>;
}

export const test = base.extend<Fixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
  server: async ({}, use) => {
    for (const built of ['out/cli/index.js', 'out/core/worker.js', 'out/renderer/index.html']) {
      if (!fs.existsSync(path.join(ROOT, built)))
        throw new Error(`${built} is missing: run "npm run build" first`);
    }
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-e2e-'));
    const token = randomBytes(16).toString('hex');
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'insights.js'),
        'serve',
        '--port',
        '0',
        '--no-open',
        '--token',
        token,
        '--data-dir',
        dataDir,
        // Conversions to Meta are sent by the specs' own clicks, never by the minute timer mid-flow.
        '--send-every',
        '3600',
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, INSIGHTS_DATA_DIR: dataDir, INSIGHTS_CHECK_RESULTS: '1' },
      },
    );
    try {
      const url = await printedUrl(child);
      await use({ url, origin: new URL(url).origin, token, dataDir });
    } finally {
      await stop(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },

  api: async ({ server }, use) => {
    await use(async (method, args, workspace = 'default') => {
      const res = await fetch(`${server.origin}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
        body: JSON.stringify({ workspace, args }),
      });
      const body = (await res.json()) as CallResult;
      if (!body.ok) throw ApiError.from(body.error);
      return body.value as ResultOf<typeof method>;
    });
  },

  consoleProblems: [
    async ({ context }, use, testInfo) => {
      const seen = new ConsoleProblems();
      // On the context, so the listeners are there before the page's first navigation.
      context.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning')
          seen.add(`console.${m.type()}: ${m.text()} (${m.location().url})`);
      });
      context.on('weberror', (e) => seen.add(`uncaught: ${e.error().message}`));
      await use(seen);
      // Only a test that otherwise passed: its own failure is the better message.
      if (testInfo.status === testInfo.expectedStatus)
        expect(seen.list, 'the browser console stays clean').toEqual([]);
    },
    { auto: true },
  ],

  page: async ({ page, server, consoleProblems }, use) => {
    // Listening before the first navigation: an error while the page loads counts too.
    void consoleProblems;
    await page.goto(server.url);
    await use(page);
    // Closed before the server stops (Playwright closes pages only with their context, after the server
    // fixture): else the page's event stream reconnects to a closing server and logs its 503.
    await page.close();
  },

  saveScreenshot: async ({ page }, use) => {
    await use(async (name) => shoot(page, name));
  },
});

export class ConsoleProblems {
  readonly list: string[] = [];
  add(text: string): void {
    this.list.push(text);
  }
  /** Removes and returns the messages matching `pattern` (an expected error the test provoked). */
  take(pattern: RegExp): string[] {
    const taken = this.list.filter((t) => pattern.test(t));
    for (const t of taken) this.list.splice(this.list.indexOf(t), 1);
    return taken;
  }
}

export async function shoot(page: Page, name: string): Promise<string> {
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9._-]+/gi, '-')}.png`);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Resolves with the URL `serve` prints ("… on http://127.0.0.1:PORT/#token=…"). */
function printedUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => fail(new Error('insights serve did not print its URL within 30 s')),
      30_000,
    );
    const fail = (e: Error) => {
      clearTimeout(timer);
      reject(new Error(`${e.message}\nstdout: ${out}\nstderr: ${err}`));
    };
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\bon (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => fail(new Error(`insights serve exited early (code ${code})`)));
    child.once('error', (e) => fail(e));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export { expect };
