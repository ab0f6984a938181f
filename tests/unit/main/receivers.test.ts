import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CoreHost } from '../../../src/core/host/host';
import type { Handlers } from '../../../src/core/kernel/context';
import { JsonPrefsStore } from '../../../src/core/prefs/prefs-store';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';
import { listenWithFallback, startReceivers } from '../../../src/main/receivers';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function inlineHost(): CoreHost {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-recv-'));
  const host = new CoreHost({
    dataDir: dir,
    mode: 'electron',
    version: 'test',
    secrets: new FileSecretStore(path.join(dir, 'secrets.json')),
    prefs: new JsonPrefsStore(path.join(dir, 'preferences.json')),
    runner: { kind: 'inline', handlers: {} as Handlers, internal: {} },
  });
  cleanup.push(async () => {
    await host.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return host;
}

async function occupiedPort(): Promise<number> {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  return (blocker.address() as net.AddressInfo).port;
}

describe('listenWithFallback', () => {
  it('retries on a free port only when the configured one is taken', async () => {
    const tried: number[] = [];
    const start = async (port: number) => {
      tried.push(port);
      if (port !== 0) throw Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
      return 'ok';
    };
    expect(await listenWithFallback(start, 4319)).toBe('ok');
    expect(tried).toEqual([4319, 0]);
  });

  it('passes other failures through', async () => {
    const start = async () => {
      throw Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
    };
    await expect(listenWithFallback(start, 80)).rejects.toThrow(/EACCES/);
  });
});

describe('startReceivers', () => {
  it('falls back to a free loopback port when the configured one is busy, and keeps /api behind a token', async () => {
    const busy = await occupiedPort();
    const server = await startReceivers(inlineHost(), busy);
    cleanup.unshift(() => server.close());
    expect(server.port).not.toBe(busy);
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const api = await fetch(`${server.url}/api/app.info`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(api.status).toBe(401);
  });
});
