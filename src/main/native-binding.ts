import path from 'node:path';

// better-sqlite3 under two runtimes: node_modules keeps the binary built for Node (tests, CLI, serve);
// Electron loads its own build through better-sqlite3's `nativeBinding` option, so neither ever
// overwrites the other. scripts/electron-native.mjs builds the development copy and
// scripts/before-pack.cjs the packaged one; both follow the layout decided here.

/** Folder name of a development build: one per Electron version, platform and CPU architecture. */
export function electronNativeKey(electronVersion: string, platform: string, arch: string): string {
  return `${electronVersion}-${platform}-${arch}`;
}

export const NATIVE_FILE = 'better_sqlite3.node';
export const DEV_NATIVE_DIR = '.electron-native';
/** Folder under process.resourcesPath that electron-builder's extraResources fills (outside app.asar). */
export const PACKAGED_NATIVE_DIR = 'native';

export interface NativeBindingInput {
  electronVersion: string;
  platform: string;
  arch: string;
  /** app.isPackaged */
  packaged: boolean;
  /** process.resourcesPath (packaged app) */
  resourcesPath: string;
  /** The project root when running from a checkout (app.getAppPath()). */
  appRoot: string;
}

/** The better_sqlite3.node the app's worker threads must load. */
export function nativeBindingPath(input: NativeBindingInput): string {
  if (input.packaged) return path.join(input.resourcesPath, PACKAGED_NATIVE_DIR, NATIVE_FILE);
  return path.join(
    input.appRoot,
    DEV_NATIVE_DIR,
    electronNativeKey(input.electronVersion, input.platform, input.arch),
    NATIVE_FILE,
  );
}
