import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import { type InsightsBridge, IPC_CALL_PREFIX, IPC_EVENT, IPC_SHELL } from '../shared/bridge';
import { type CoreEvent, type MethodName, methodNames } from '../shared/contract';

// Sandboxed preload, bundled to one CommonJS file by electron-vite (a sandboxed preload can require
// only a few Electron modules). It exposes `window.insights`: one function per contract method, each
// bound to its own channel, and nothing else of ipcRenderer.

const methods = Object.fromEntries(
  methodNames.map((name) => [
    name,
    (workspace: string, args: unknown): Promise<string> =>
      ipcRenderer.invoke(IPC_CALL_PREFIX + name, workspace, args),
  ]),
) as Record<MethodName, (workspace: string, args: unknown) => Promise<string>>;

const bridge: InsightsBridge = {
  methods,
  onEvent(listener) {
    // The IpcRendererEvent never reaches the page: its `sender` is ipcRenderer itself.
    const handler = (_event: IpcRendererEvent, payload: CoreEvent) => listener(payload);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
  shell: {
    saveFile: (suggestedName, content, filters) =>
      ipcRenderer.invoke(IPC_SHELL.saveFile, suggestedName, content, filters),
    printToPdf: (suggestedName) => ipcRenderer.invoke(IPC_SHELL.printToPdf, suggestedName),
    openExternal: (url) => ipcRenderer.invoke(IPC_SHELL.openExternal, url),
  },
};

contextBridge.exposeInMainWorld('insights', bridge);
