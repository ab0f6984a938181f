import fs from 'node:fs';
import path from 'node:path';
import { Preferences } from '../../shared/contract/app';
import { ensurePrivateDir } from '../db/private-files';

/** Preferences storage: electron-store in Electron (src/main), this JSON file in browser mode. */
export interface PrefsStore {
  get(): Preferences;
  set(patch: Preferences): Preferences;
}

export class JsonPrefsStore implements PrefsStore {
  constructor(private readonly file: string) {}
  get(): Preferences {
    try {
      const parsed = Preferences.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }
  set(patch: Preferences): Preferences {
    const next = mergePreferences(this.get(), patch);
    ensurePrivateDir(path.dirname(this.file));
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(next, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    return next;
  }
}

/** Shallow merge, one level deeper for the per-phone maps and the table layout. */
export function mergePreferences(current: Preferences, patch: Preferences): Preferences {
  return {
    ...current,
    ...patch,
    ...(patch.eventByPhone ? { eventByPhone: { ...current.eventByPhone, ...patch.eventByPhone } } : {}),
    ...(patch.funnelByPhone ? { funnelByPhone: { ...current.funnelByPhone, ...patch.funnelByPhone } } : {}),
    ...(patch.modelByPhone ? { modelByPhone: { ...current.modelByPhone, ...patch.modelByPhone } } : {}),
    ...(patch.timezoneByWorkspace
      ? { timezoneByWorkspace: { ...current.timezoneByWorkspace, ...patch.timezoneByWorkspace } }
      : {}),
    ...(patch.table ? { table: { ...current.table, ...patch.table } } : {}),
  };
}
