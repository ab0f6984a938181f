import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CoreHost } from '../../../src/core/host/host';
import type { Handlers } from '../../../src/core/kernel/context';
import { JsonPrefsStore } from '../../../src/core/prefs/prefs-store';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';
import { IPC_CALL_PREFIX, IPC_EVENT, IPC_SHELL } from '../../../src/shared/bridge';
import { type CoreEvent, methodNames } from '../../../src/shared/contract';

// registerIpc against stand-ins for ipcMain, BrowserWindow, dialog and shell.

const electron = vi.hoisted(() => ({
  windows: [] as {
    isDestroyed: () => boolean;
    webContents: { mainFrame: unknown; send: (...a: unknown[]) => void };
  }[],
  openExternal: vi.fn(async (_url: string) => {}),
  showSaveDialog: vi.fn(async () => ({ canceled: true, filePath: '' })),
}));
vi.mock('electron', () => ({
  app: { getPath: () => os.tmpdir() },
  BrowserWindow: { getAllWindows: () => electron.windows, fromWebContents: () => null },
  dialog: { showSaveDialog: electron.showSaveDialog },
  shell: { openExternal: electron.openExternal },
}));

const { registerIpc } = await import('../../../src/main/ipc');
const { appOrigin } = await import('../../../src/main/url-policy');

const origin = appOrigin({ packaged: true });
const appFrame = { url: 'app://insights/index.html', parent: null };
const foreignFrame = { url: 'https://example.com/', parent: null };

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;
const handlers = new Map<string, Handler>();
const ipcMain = {
  handle: (channel: string, fn: Handler) => {
    if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    handlers.set(channel, fn);
  },
  removeHandler: (channel: string) => handlers.delete(channel),
};

let dir: string;
let host: CoreHost;
let unregister: () => void;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-ipcreg-'));
  host = new CoreHost({
    dataDir: dir,
    mode: 'electron',
    version: 'test',
    secrets: new FileSecretStore(path.join(dir, 'secrets.json')),
    prefs: new JsonPrefsStore(path.join(dir, 'preferences.json')),
    runner: { kind: 'inline', handlers: {} as Handlers, internal: {} },
  });
  unregister = registerIpc(ipcMain as never, host, origin);
});
afterAll(async () => {
  await host.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const event = (frame: unknown) => ({ senderFrame: frame, sender: {} });

describe('registerIpc', () => {
  it('registers one channel per contract method plus the three shell channels, nothing generic', () => {
    const expected = [...methodNames.map((m) => IPC_CALL_PREFIX + m), ...Object.values(IPC_SHELL)].sort();
    expect([...handlers.keys()].sort()).toEqual(expected);
  });

  it('answers a contract call from the app page and refuses it from another page', async () => {
    const call = handlers.get(`${IPC_CALL_PREFIX}app.info`)!;
    // The CallResult travels as JSON text.
    expect(JSON.parse((await call(event(appFrame), 'default', {})) as string)).toMatchObject({
      ok: true,
      value: { mode: 'electron' },
    });
    expect(JSON.parse((await call(event(foreignFrame), 'default', {})) as string)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('opens only https links, only for the app page', async () => {
    const open = handlers.get(IPC_SHELL.openExternal)!;
    await open(event(appFrame), 'https://docs.360dialog.com/');
    expect(electron.openExternal).toHaveBeenCalledWith('https://docs.360dialog.com/');
    electron.openExternal.mockClear();
    await expect(open(event(appFrame), 'file:///etc/passwd')).rejects.toThrow(/https/);
    await expect(open(event(appFrame), 'javascript:alert(1)')).rejects.toThrow(/https/);
    await expect(open(event(foreignFrame), 'https://example.com/')).rejects.toThrow(/may not/);
    expect(electron.openExternal).not.toHaveBeenCalled();
  });

  it('validates save arguments before any dialog opens', async () => {
    const save = handlers.get(IPC_SHELL.saveFile)!;
    await expect(save(event(appFrame), 42, 'x')).rejects.toThrow();
    expect(electron.showSaveDialog).not.toHaveBeenCalled();
    expect(await save(event(appFrame), 'r.csv', 'a,b', undefined)).toEqual({ saved: false });
    expect(electron.showSaveDialog).toHaveBeenCalledOnce();
  });

  it('sends core events to app windows only', () => {
    const appWin = { isDestroyed: () => false, webContents: { mainFrame: appFrame, send: vi.fn() } };
    const foreignWin = { isDestroyed: () => false, webContents: { mainFrame: foreignFrame, send: vi.fn() } };
    electron.windows.push(appWin, foreignWin);
    const e: CoreEvent = { type: 'data-changed', workspace: 'default', what: 'all' };
    // The host's own fan-out, as when a worker reports a change.
    (host as unknown as { emit(e: CoreEvent): void }).emit(e);
    expect(appWin.webContents.send).toHaveBeenCalledWith(IPC_EVENT, e);
    expect(foreignWin.webContents.send).not.toHaveBeenCalled();
  });

  it('removes every handler it added', () => {
    unregister();
    expect(handlers.size).toBe(0);
  });
});
