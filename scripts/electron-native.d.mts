// Types of scripts/electron-native.mjs for the TypeScript tests that import it.
export const NATIVE_FILE: string;
export const DEV_NATIVE_DIR: string;
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
}): Promise<string>;
