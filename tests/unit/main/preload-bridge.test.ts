import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type InsightsBridge, IPC_CALL_PREFIX, IPC_EVENT, IPC_SHELL } from '../../../src/shared/bridge';
import { methodNames } from '../../../src/shared/contract';

// The preload runs against a stand-in for Electron's contextBridge and ipcRenderer: what it exposes
// is exactly what a page can reach.

const exposed = new Map<string, unknown>();
const ipc = vi.hoisted(() => ({
  invoke: vi.fn(async (..._args: unknown[]) => '{"ok":true,"value":"answer"}'),
  on: vi.fn(),
  removeListener: vi.fn(),
  send: vi.fn(),
  sendSync: vi.fn(),
}));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: ipc,
}));

let bridge: InsightsBridge;
beforeAll(async () => {
  await import('../../../src/preload/index');
  bridge = exposed.get('insights') as InsightsBridge;
});

describe('preload bridge', () => {
  it('exposes one global with methods, onEvent and shell only — never ipcRenderer', () => {
    expect([...exposed.keys()]).toEqual(['insights']);
    expect(Object.keys(bridge).sort()).toEqual(['methods', 'onEvent', 'shell']);
    const reachable = JSON.stringify(bridge, (_k, v) => (typeof v === 'function' ? 'fn' : v));
    expect(reachable).not.toContain('invoke');
    expect(Object.values(bridge).includes(ipc)).toBe(false);
  });

  it('has exactly one function per contract method, each bound to its own channel', async () => {
    expect(Object.keys(bridge.methods).sort()).toEqual([...methodNames].sort());
    for (const name of methodNames) {
      ipc.invoke.mockClear();
      // The main process's JSON text passes through untouched (the page parses it).
      await expect(bridge.methods[name]('client-a', { x: 1 })).resolves.toBe('{"ok":true,"value":"answer"}');
      expect(ipc.invoke).toHaveBeenCalledWith(IPC_CALL_PREFIX + name, 'client-a', { x: 1 });
    }
  });

  it('passes events without the IpcRendererEvent (whose sender is ipcRenderer) and unsubscribes', () => {
    const seen: unknown[] = [];
    const off = bridge.onEvent((e) => seen.push(e));
    const [channel, handler] = ipc.on.mock.calls[0] as [string, (...a: unknown[]) => void];
    expect(channel).toBe(IPC_EVENT);
    handler({ sender: ipc }, { type: 'data-changed', workspace: 'default', what: 'all' });
    expect(seen).toEqual([{ type: 'data-changed', workspace: 'default', what: 'all' }]);
    off();
    expect(ipc.removeListener).toHaveBeenCalledWith(IPC_EVENT, handler);
  });

  it('sends the shell calls on their fixed channels', async () => {
    ipc.invoke.mockClear();
    await bridge.shell.saveFile('r.csv', 'a,b', [{ name: 'CSV', extensions: ['csv'] }]);
    await bridge.shell.printToPdf('r.pdf');
    await bridge.shell.openExternal('https://example.com/');
    expect(ipc.invoke.mock.calls).toEqual([
      [IPC_SHELL.saveFile, 'r.csv', 'a,b', [{ name: 'CSV', extensions: ['csv'] }]],
      [IPC_SHELL.printToPdf, 'r.pdf'],
      [IPC_SHELL.openExternal, 'https://example.com/'],
    ]);
  });
});
