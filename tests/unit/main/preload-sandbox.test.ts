import path from 'node:path';
import vm from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// A sandboxed preload gets a `require` that knows only a few Electron modules, and no Node globals
// such as `process.env` or `Buffer` in the page's reach. Bundle the preload like electron-vite does
// (one CommonJS file, electron external) and run it in a bare V8 context with only `electron`.

describe('preload under the sandbox', () => {
  it('bundles to code that requires nothing but electron and exposes only window.insights', async () => {
    const out = await build({
      entryPoints: [path.join(__dirname, '../../../src/preload/index.ts')],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'browser',
      external: ['electron'],
      logLevel: 'silent',
    });
    const code = out.outputFiles[0]!.text;

    const required: string[] = [];
    const exposed: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string) => exposed.push(key) },
      ipcRenderer: { invoke: async () => ({}), on: () => {}, removeListener: () => {} },
    };
    const module = { exports: {} };
    const context = vm.createContext({
      module,
      exports: module.exports,
      require: (name: string) => {
        required.push(name);
        if (name === 'electron') return electron;
        throw new Error(`a sandboxed preload cannot require "${name}"`);
      },
    });
    vm.runInContext(code, context);
    expect([...new Set(required)]).toEqual(['electron']);
    expect(exposed).toEqual(['insights']);
  });
});
