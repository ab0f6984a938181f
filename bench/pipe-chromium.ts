import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_ARGS } from '../tests/helpers/chromium-args';

// Chromium without a test harness: driven over --remote-debugging-pipe (DevTools protocol messages on fds 3
// and 4, NUL-terminated, https://chromedevtools.github.io/devtools-protocol/) with the Target and Runtime
// domains only. Playwright follows every request of the pages it drives (the Network domain) and injects
// its scripts into them, which adds milliseconds to each call and work to a page's first render.

type Send = <T>(method: string, params: object, sessionId?: string) => Promise<T>;

export interface PipePage {
  /** Evaluates an expression in the page; its value (a string or number) or a thrown error. */
  evaluate<T>(expression: string, awaitPromise?: boolean): Promise<T>;
  close(): Promise<void>;
}

export interface PipeChromium {
  /** Opens `url` in a new tab of the browser's one profile and waits until it has loaded from `origin`. */
  open(url: string, origin: string): Promise<PipePage>;
  close(): Promise<void>;
}

export function launchPipeChromium(): PipeChromium {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-bench-cdp-'));
  const browser = spawn(
    process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    [
      '--headless=new',
      ...CHROMIUM_ARGS,
      '--remote-debugging-pipe',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
  );
  const out = browser.stdio[3] as NodeJS.WritableStream;
  const into = browser.stdio[4] as NodeJS.ReadableStream;
  let pending = '';
  let nextId = 0;
  const waiting = new Map<number, (m: { result?: unknown; error?: { message: string } }) => void>();
  into.on('data', (d: Buffer) => {
    pending += d.toString();
    for (let i = pending.indexOf('\0'); i >= 0; i = pending.indexOf('\0')) {
      const m = JSON.parse(pending.slice(0, i)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
      };
      pending = pending.slice(i + 1);
      if (m.id !== undefined) waiting.get(m.id)?.(m);
    }
  });
  const send: Send = <T>(method: string, params: object, sessionId?: string) =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, (m) => {
        waiting.delete(id);
        if (m.error) reject(new Error(`${method}: ${m.error.message}`));
        else resolve(m.result as T);
      });
      out.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });

  return {
    async open(url, origin) {
      const { targetId } = await send<{ targetId: string }>('Target.createTarget', { url });
      const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', {
        targetId,
        flatten: true,
      });
      const evaluate = async <T>(expression: string, awaitPromise = false): Promise<T> => {
        const r = await send<{ result: { value?: T }; exceptionDetails?: { text: string } }>(
          'Runtime.evaluate',
          { expression, awaitPromise, returnByValue: true },
          sessionId,
        );
        if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.text}`);
        return r.result.value as T;
      };
      // Until the page has loaded (an evaluation during the navigation loses its context).
      for (let i = 0; ; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const state = await evaluate<string>(
          `location.origin === ${JSON.stringify(origin)} ? document.readyState : 'elsewhere'`,
        ).catch(() => null);
        if (state === 'complete') break;
        if (i > 100) throw new Error(`${url} did not load`);
      }
      return { evaluate, close: () => send('Target.closeTarget', { targetId }).then(() => undefined) };
    },
    async close() {
      // Closed through the protocol, so its helper processes are done with the profile before it goes.
      const exited = new Promise((resolve) => browser.once('exit', resolve));
      await Promise.race([send('Browser.close', {}), new Promise((r) => setTimeout(r, 3000))]).catch(
        () => undefined,
      );
      browser.kill();
      await exited;
      await new Promise((r) => setTimeout(r, 200));
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
