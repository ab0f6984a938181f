import type { CoreEvent, MethodName } from './contract';

/**
 * What the preload script exposes as `window.insights`: one function per contract method (never a
 * generic ipcRenderer), plus an event subscription. Each function takes the workspace and the args and
 * answers the CallResult as JSON text (the HTTP API's body), which the page parses.
 */
export interface InsightsBridge {
  readonly methods: { readonly [M in MethodName]: (workspace: string, args: unknown) => Promise<string> };
  onEvent(listener: (event: CoreEvent) => void): () => void;
  /** Electron-only conveniences the browser does differently (native save dialog, printToPDF, open link). */
  readonly shell: {
    saveFile(
      suggestedName: string,
      content: string,
      filters?: { name: string; extensions: string[] }[],
    ): Promise<{ saved: boolean; path?: string }>;
    printToPdf(suggestedName: string): Promise<{ saved: boolean; path?: string }>;
    openExternal(url: string): Promise<void>;
  };
}

/** IPC channel names, shared by main and preload. */
export const IPC_CALL_PREFIX = 'insights:call:';
export const IPC_EVENT = 'insights:event';
export const IPC_SHELL = {
  saveFile: 'insights:shell:save-file',
  printToPdf: 'insights:shell:print-to-pdf',
  openExternal: 'insights:shell:open-external',
} as const;
