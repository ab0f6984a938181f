import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_CALL_PREFIX, IPC_SHELL } from '../../../src/shared/bridge';
import { methodNames } from '../../../src/shared/contract';

// src/main/index.ts wired against stand-ins for Electron and electron-store: CI has no Electron
// binary, so this is where the main process's start-up, security wiring, IPC, receivers and
// shutdown are exercised. (tests/electron/app.spec.ts runs the real app where Electron exists.)

const fake = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown;
  const appListeners = new Map<string, Listener[]>();
  const state = {
    appListeners,
    appData: '',
    appRoot: '',
    paths: new Map<string, string>(),
    windows: [] as { options: Record<string, unknown>; loaded: string[] }[],
    handlers: new Map<string, Listener>(),
    storeOptions: [] as Record<string, unknown>[],
    permissionRequest: null as null | Listener,
    permissionCheck: null as null | Listener,
    headers: null as null | Listener,
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (req: { url: string }) => Promise<Response>>(),
    enableSandbox: vi.fn(),
    quit: vi.fn(),
    exit: vi.fn(),
    showErrorBox: vi.fn(),
    openExternal: vi.fn(async () => {}),
  };
  class BrowserWindow {
    static all: BrowserWindow[] = [];
    static getAllWindows = () => BrowserWindow.all;
    static fromWebContents = () => null;
    readonly record: { options: Record<string, unknown>; loaded: string[] };
    readonly webContents = { mainFrame: { url: '', parent: null }, send: vi.fn() };
    constructor(options: Record<string, unknown>) {
      this.record = { options, loaded: [] };
      state.windows.push(this.record);
      BrowserWindow.all.push(this);
    }
    once() {}
    isDestroyed = () => false;
    isMinimized = () => false;
    restore() {}
    focus() {}
    async loadURL(url: string) {
      this.record.loaded.push(url);
      this.webContents.mainFrame.url = url;
    }
  }
  const electron = {
    app: {
      isPackaged: false,
      setName: vi.fn(),
      getPath: (name: string) =>
        name === 'appData' ? state.appData : (state.paths.get(name) ?? os.tmpdir()),
      setPath: (name: string, value: string) => state.paths.set(name, value),
      enableSandbox: state.enableSandbox,
      requestSingleInstanceLock: () => true,
      whenReady: async () => {},
      getAppPath: () => state.appRoot,
      getVersion: () => '0.0.0-test',
      quit: state.quit,
      exit: state.exit,
      on: (event: string, fn: Listener) => {
        appListeners.set(event, [...(appListeners.get(event) ?? []), fn]);
      },
    },
    BrowserWindow,
    dialog: { showErrorBox: state.showErrorBox, showSaveDialog: vi.fn() },
    ipcMain: {
      handle: (channel: string, fn: Listener) => state.handlers.set(channel, fn),
      removeHandler: (channel: string) => state.handlers.delete(channel),
    },
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => Buffer.from(s).reverse(),
      decryptString: (b: Buffer) => Buffer.from(b).reverse().toString(),
      getSelectedStorageBackend: () => 'basic_text',
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        state.schemes.push(...schemes);
      },
    },
    session: {
      defaultSession: {
        protocol: {
          handle: (scheme: string, fn: (req: { url: string }) => Promise<Response>) =>
            state.protocolHandlers.set(scheme, fn),
        },
        setPermissionRequestHandler: (fn: Listener) => {
          state.permissionRequest = fn;
        },
        setPermissionCheckHandler: (fn: Listener) => {
          state.permissionCheck = fn;
        },
        webRequest: {
          onHeadersReceived: (fn: Listener) => {
            state.headers = fn;
          },
        },
      },
    },
    shell: { openExternal: state.openExternal },
  };
  class Store {
    store: Record<string, unknown> = {};
    constructor(options: Record<string, unknown>) {
      state.storeOptions.push(options);
    }
  }
  return { state, electron, Store };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));
vi.mock('electron-store', () => ({ default: fake.Store }));

const { state } = fake;
let dataDir: string;
let stdout = '';

beforeAll(async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-main-'));
  state.appData = path.join(base, 'appData');
  state.appRoot = path.join(base, 'checkout');
  dataDir = path.join(base, 'data');
  // The Electron build of better-sqlite3 that `npm start` would have made.
  Object.defineProperty(process.versions, 'electron', { value: '39.8.10', configurable: true });
  const native = path.join(state.appRoot, '.electron-native', `39.8.10-${process.platform}-${process.arch}`);
  fs.mkdirSync(native, { recursive: true });
  fs.writeFileSync(path.join(native, 'better_sqlite3.node'), '');
  vi.stubEnv('INSIGHTS_DATA_DIR', dataDir);
  vi.stubEnv('INSIGHTS_PORT', '0');
  vi.stubEnv('ELECTRON_RENDERER_URL', '');
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  await import('../../../src/main/index');
  await vi.waitFor(() => expect(state.windows).toHaveLength(1), { timeout: 10_000 });
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const appFrame = () => ({ url: state.windows[0]!.loaded[0]!, parent: null });

describe('Electron main process', () => {
  it('starts without an error and points the profile at the data folder', () => {
    expect(state.showErrorBox).not.toHaveBeenCalled();
    expect(state.paths.get('userData')).toBe(dataDir);
    expect(state.enableSandbox).toHaveBeenCalled();
    expect(state.storeOptions).toEqual([expect.objectContaining({ cwd: dataDir, name: 'preferences' })]);
  });

  it('opens one sandboxed, context-isolated window on the app:// protocol, never file://', async () => {
    const { options, loaded } = state.windows[0]!;
    expect(options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webviewTag: false,
      preload: expect.stringMatching(/preload[/\\]index\.cjs$/),
    });
    expect(loaded).toEqual(['app://insights/index.html']);
    // Registered privileged before the app was ready, served from the renderer folder with the CSP header.
    expect(state.schemes.slice(0, 1)).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    const page = await state.protocolHandlers.get('app')!({ url: loaded[0]! });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain('<div id="root">');
    expect(
      (await state.protocolHandlers.get('app')!({ url: 'app://insights/../main/index.ts' })).status,
    ).toBe(404);
  });

  it('serves every contract method on its own channel, with the core behind it', async () => {
    const expected = [...methodNames.map((m) => IPC_CALL_PREFIX + m), ...Object.values(IPC_SHELL)].sort();
    expect([...state.handlers.keys()].sort()).toEqual(expected);
    // The CallResult travels as JSON text.
    const info = JSON.parse(
      (await state.handlers.get(`${IPC_CALL_PREFIX}app.info`)!(
        { senderFrame: appFrame() },
        'default',
        {},
      )) as string,
    );
    expect(info).toMatchObject({
      ok: true,
      value: {
        mode: 'electron',
        dataDir,
        secretBackend: 'safeStorage:basic_text',
        secretWarning: expect.any(String),
      },
    });
  });

  it('starts the receivers on loopback', async () => {
    const m = /receivers on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
    expect(m).not.toBeNull();
    expect((await fetch(`${m![1]}/healthz`)).status).toBe(200);
  });

  it('applies the security policy to every new web contents and the session', () => {
    const created = state.appListeners.get('web-contents-created')?.[0];
    expect(created).toBeDefined();
    const listeners = new Map<string, (e: unknown) => void>();
    let openHandler: ((d: { url: string }) => unknown) | undefined;
    created!(
      {},
      {
        on: (name: string, fn: (e: unknown) => void) => listeners.set(name, fn),
        setWindowOpenHandler: (fn: (d: { url: string }) => unknown) => {
          openHandler = fn;
        },
      },
    );
    expect([...listeners.keys()].sort()).toEqual(['will-attach-webview', 'will-navigate', 'will-redirect']);

    const nav = { url: 'https://example.com/docs', preventDefault: vi.fn() };
    listeners.get('will-navigate')!(nav);
    expect(nav.preventDefault).toHaveBeenCalled();
    expect(state.openExternal).toHaveBeenCalledWith('https://example.com/docs');
    const self = { url: `${appFrame().url}#/settings`, preventDefault: vi.fn() };
    listeners.get('will-navigate')!(self);
    expect(self.preventDefault).not.toHaveBeenCalled();
    expect(openHandler!({ url: 'http://example.com/' })).toEqual({ action: 'deny' });
    const webview = { preventDefault: vi.fn() };
    listeners.get('will-attach-webview')!(webview);
    expect(webview.preventDefault).toHaveBeenCalled();

    const answers: boolean[] = [];
    state.permissionRequest!({}, 'media', (ok: boolean) => answers.push(ok), {
      requestingUrl: appFrame().url,
    });
    state.permissionRequest!({}, 'clipboard-sanitized-write', (ok: boolean) => answers.push(ok), {
      requestingUrl: appFrame().url,
    });
    expect(answers).toEqual([false, true]);
    expect(state.permissionCheck!({ getURL: () => appFrame().url }, 'geolocation')).toBe(false);

    let headers: Record<string, string[]> = {};
    state.headers!({ responseHeaders: {} }, (r: { responseHeaders: Record<string, string[]> }) => {
      headers = r.responseHeaders;
    });
    expect(headers['Content-Security-Policy']?.[0]).toContain("script-src 'self'");
  });

  it('quits on SIGTERM and SIGINT (then closes as below)', () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      state.quit.mockClear();
      process.listeners(signal).at(-1)!(signal);
      expect(state.quit).toHaveBeenCalledTimes(1);
    }
  });

  it('closes the receivers and the core before quitting', async () => {
    const url = /receivers on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
    const event = { preventDefault: vi.fn() };
    state.appListeners.get('before-quit')![0]!(event);
    expect(event.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(state.quit).toHaveBeenCalled(), { timeout: 10_000 });
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(state.handlers.size).toBe(0);
    // The second before-quit (from app.quit) goes through.
    const again = { preventDefault: vi.fn() };
    state.appListeners.get('before-quit')![0]!(again);
    expect(again.preventDefault).not.toHaveBeenCalled();
  });

  it('refuses to start, with a pointer to npm start, when better-sqlite3 is not built for Electron', async () => {
    fs.rmSync(path.join(state.appRoot, '.electron-native'), { recursive: true });
    vi.resetModules();
    await import('../../../src/main/index');
    await vi.waitFor(() => expect(state.exit).toHaveBeenCalledWith(1), { timeout: 10_000 });
    expect(state.showErrorBox).toHaveBeenCalledWith('Insights Desktop', expect.stringMatching(/npm start/));
    expect(state.windows).toHaveLength(1);
  });
});
