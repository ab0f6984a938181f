import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoreHost } from '../../../src/core/host/host';
import type { Handlers } from '../../../src/core/kernel/context';
import { JsonPrefsStore } from '../../../src/core/prefs/prefs-store';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';
import { handleContractCall as handleText } from '../../../src/main/ipc-call';
import { appOrigin } from '../../../src/main/url-policy';

// The IPC entry of the main process, against a real CoreHost (host-lane methods need no database).

const origin = appOrigin({ packaged: true });
const appFrame = { url: 'app://insights/index.html', parent: null };

let dir: string;
let host: CoreHost;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-ipc-'));
  host = new CoreHost({
    dataDir: dir,
    mode: 'electron',
    version: 'test',
    secrets: new FileSecretStore(path.join(dir, 'secrets.json')),
    prefs: new JsonPrefsStore(path.join(dir, 'preferences.json')),
    runner: { kind: 'inline', handlers: {} as Handlers, internal: {} },
  });
});
afterEach(async () => {
  await host.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// The answer is the CallResult as JSON text (what the page parses); parsed here to compare.
const handleContractCall = async (...a: Parameters<typeof handleText>) => JSON.parse(await handleText(...a));

describe('handleContractCall', () => {
  it('answers the app page with the core result', async () => {
    const r = await handleContractCall(host, origin, 'app.info', appFrame, 'default', {});
    expect(r).toMatchObject({ ok: true, value: { mode: 'electron', dataDir: dir } });
  });

  it('refuses other pages and sub-frames before the core sees the call', async () => {
    const prefsBefore = await handleContractCall(host, origin, 'prefs.get', appFrame, 'default', {});
    for (const frame of [
      { url: 'https://example.com/', parent: null },
      { url: appFrame.url, parent: { url: appFrame.url } },
      null,
    ]) {
      const r = await handleContractCall(host, origin, 'prefs.set', frame, 'default', { theme: 'dark' });
      expect(r).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) } });
    }
    expect((await handleContractCall(host, origin, 'prefs.get', appFrame, 'default', {})).value).toEqual(
      prefsBefore.value,
    );
  });

  it('returns contract validation errors as data, not as a thrown IPC error', async () => {
    expect(
      await handleContractCall(host, origin, 'app.info', appFrame, 'default', { extra: 1 }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
    expect(await handleContractCall(host, origin, 'no.such.method', appFrame, 'default', {})).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await handleContractCall(host, origin, 'app.info', appFrame, 42, {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', field: 'workspace' },
    });
  });

  it('writes through to the core for the app page', async () => {
    const r = await handleContractCall(host, origin, 'prefs.set', appFrame, 'default', { theme: 'dark' });
    expect(r).toEqual({ ok: true, handlerMs: expect.any(Number), value: { theme: 'dark' } });
  });

  it('answers JSON text, the same envelope as the HTTP API', async () => {
    const text = await handleText(host, origin, 'prefs.get', appFrame, 'default', {});
    expect(typeof text).toBe('string');
    expect(JSON.parse(text)).toEqual({ ok: true, handlerMs: expect.any(Number), value: {} });
  });
});
