import path from 'node:path';

// Where the built pieces sit relative to out/main/index.js (electron-vite and scripts/build-core.mjs):
//   out/main/index.js   out/preload/index.cjs   out/renderer/index.html   out/core/worker.js

export interface BundlePaths {
  preload: string;
  rendererIndex: string;
  /** The core's lane worker. */
  worker: string;
}

export function bundlePaths(mainDir: string, packaged: boolean): BundlePaths {
  const out = path.join(mainDir, '..');
  const worker = path.join(out, 'core', 'worker.js');
  return {
    preload: path.join(out, 'preload', 'index.cjs'),
    rendererIndex: path.join(out, 'renderer', 'index.html'),
    // Worker threads load their script and its node_modules with plain Node resolution, so the
    // packaged app keeps them outside the archive (electron-builder.yml asarUnpack).
    worker: packaged ? unpackedPath(worker) : worker,
  };
}

/** resources/app.asar/x → resources/app.asar.unpacked/x */
export function unpackedPath(file: string): string {
  const parts = file.split(path.sep);
  const i = parts.lastIndexOf('app.asar');
  if (i === -1) return file;
  parts[i] = 'app.asar.unpacked';
  return parts.join(path.sep);
}
