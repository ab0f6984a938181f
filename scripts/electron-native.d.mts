// Types of scripts/electron-native.mjs for the TypeScript tests that import it.
export const NATIVE_FILE: string;
export const DEV_NATIVE_DIR: string;

/** What the script passes to @electron/rebuild's rebuild(). */
export interface RebuildOptions {
  buildPath: string;
  projectRootPath: string;
  electronVersion: string;
  platform: string;
  arch: string;
  onlyModules: string[];
  force: boolean;
}

export function electronNativePath(
  projectRoot: string,
  electronVersion: string,
  platform: string,
  arch: string,
): string;
export function installedElectronVersion(): string;
export function ensureElectronNative(options?: {
  projectRoot?: string;
  electronVersion?: string;
  platform?: string;
  arch?: string;
  force?: boolean;
  log?: (line: string) => void;
  /** @electron/rebuild's rebuild(); replaced in unit tests. */
  rebuild?: (options: RebuildOptions) => Promise<void>;
}): Promise<string>;
