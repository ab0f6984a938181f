import path from 'node:path';

// Command-line options of the desktop app (`npm start -- --data-dir DIR`, or the packaged binary).
// Electron's argv also carries Chromium switches and the app path: anything unknown is ignored.

export interface LaunchOptions {
  dataDir?: string;
  workspace?: string;
  /** Port of the webhook receivers; 0 picks a free one. */
  port?: number;
}

export const DEFAULT_RECEIVER_PORT = 4319;

export function parseLaunchArgs(argv: readonly string[]): LaunchOptions {
  const out: LaunchOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--(data-dir|workspace|port)(?:=(.*))?$/.exec(arg);
    if (!m) continue;
    let value = m[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) continue;
      value = next;
      i++;
    }
    if (m[1] === 'data-dir' && value !== '') out.dataDir = value;
    else if (m[1] === 'workspace' && value !== '') out.workspace = value;
    else if (m[1] === 'port') {
      const port = parsePort(value);
      if (port !== undefined) out.port = port;
    }
  }
  return out;
}

export const APP_NAME = 'Insights Desktop';

/**
 * --data-dir, then INSIGHTS_DATA_DIR, then `<appData>/Insights Desktop` — the folder the CLI and
 * `insights serve` default to as well (src/core/workspace/workspaces.ts resolveDataDir), so all three
 * open the same workspaces. Electron's own profile (userData) is pointed at it too.
 */
export function chooseDataDir(
  options: LaunchOptions,
  env: Readonly<Record<string, string | undefined>>,
  appData: string,
): string {
  const explicit = options.dataDir ?? env.INSIGHTS_DATA_DIR;
  return explicit ? path.resolve(explicit) : path.join(appData, APP_NAME);
}

/** --port, then INSIGHTS_PORT, then 4319. */
export function chooseReceiverPort(
  options: LaunchOptions,
  env: Readonly<Record<string, string | undefined>>,
): number {
  if (options.port !== undefined) return options.port;
  return parsePort(env.INSIGHTS_PORT) ?? DEFAULT_RECEIVER_PORT;
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,5}$/.test(value)) return undefined;
  const n = Number(value);
  return n <= 65535 ? n : undefined;
}
