import fs from 'node:fs';
import path from 'node:path';
import type { Workspace } from '../../shared/contract/app';
import { WorkspaceName } from '../../shared/contract/define';
import { ApiError } from '../../shared/contract/errors';

/** The workspace that holds the demo dataset; it is rebuilt on demand and never mixed with real data. */
export const DEMO_WORKSPACE = 'demo';
export const DEFAULT_WORKSPACE = 'default';

// Layout of a data folder:
//   <dataDir>/workspaces/<name>/insights.sqlite   one database per workspace (an agency keeps one per client)
//   <dataDir>/preferences.json                    browser mode's preferences (Electron uses electron-store)
//   <dataDir>/secrets.json                        browser mode's secrets, mode 0600 (Electron uses safeStorage)

export function workspaceDir(dataDir: string, name: string): string {
  const parsed = WorkspaceName.safeParse(name);
  if (!parsed.success)
    throw new ApiError('invalid_argument', `"${name}" is not a valid workspace name`, 'workspace');
  return path.join(dataDir, 'workspaces', parsed.data);
}

export function workspaceDbPath(dataDir: string, name: string): string {
  return path.join(workspaceDir(dataDir, name), 'insights.sqlite');
}

export function workspaceExists(dataDir: string, name: string): boolean {
  return fs.existsSync(workspaceDbPath(dataDir, name));
}

export function listWorkspaces(dataDir: string): Workspace[] {
  const root = path.join(dataDir, 'workspaces');
  if (!fs.existsSync(root)) return [];
  const out: Workspace[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !WorkspaceName.safeParse(entry.name).success) continue;
    const file = path.join(root, entry.name, 'insights.sqlite');
    if (!fs.existsSync(file)) continue;
    let size = 0;
    let modified = 0;
    for (const suffix of ['', '-wal']) {
      try {
        const st = fs.statSync(file + suffix);
        size += st.size;
        modified = Math.max(modified, st.mtimeMs);
      } catch {
        // no WAL file yet
      }
    }
    out.push({
      name: entry.name,
      isDemo: entry.name === DEMO_WORKSPACE,
      sizeBytes: size,
      modifiedAt: modified ? new Date(modified).toISOString() : null,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The data folder: explicit option, then INSIGHTS_DATA_DIR, then the per-user default. */
export function resolveDataDir(explicit?: string): string {
  if (explicit) return path.resolve(explicit);
  if (process.env.INSIGHTS_DATA_DIR) return path.resolve(process.env.INSIGHTS_DATA_DIR);
  const home = process.env.HOME || process.env.USERPROFILE || '.';
  if (process.platform === 'darwin')
    return path.join(home, 'Library', 'Application Support', 'Insights Desktop');
  if (process.platform === 'win32')
    return path.join(process.env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Insights Desktop');
  return path.join(process.env.XDG_CONFIG_HOME || path.join(home, '.config'), 'Insights Desktop');
}
