import fs from 'node:fs';
import path from 'node:path';
import { Preferences } from '../../shared/contract/app';
import { ensurePrivateDir } from '../db/private-files';

/** Preferences storage: electron-store in Electron (src/main), this JSON file in browser mode. */
export interface PrefsStore {
  get(): Preferences;
  /** Resolves once the merged preferences are stored. */
  set(patch: Preferences): Preferences | Promise<Preferences>;
}

export class JsonPrefsStore implements PrefsStore {
  /** The stores in progress, one after the other: each merges into what the previous one wrote. */
  private queue: Promise<unknown> = Promise.resolve();
  constructor(private readonly file: string) {}
  get(): Preferences {
    try {
      const parsed = Preferences.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }
  /**
   * Written without blocking: the server's thread answers every call, and a synchronous write there held
   * the report asked with the same click up for as long as the disk took (up to 100 ms on a busy one).
   * Still answered only once the file is in place (written, then renamed over the old one).
   */
  set(patch: Preferences): Promise<Preferences> {
    const stored = this.queue.then(async () => {
      const next = mergePreferences(this.get(), patch);
      ensurePrivateDir(path.dirname(this.file));
      const tmp = `${this.file}.${process.pid}.tmp`;
      await fs.promises.writeFile(tmp, JSON.stringify(next, null, 2), { mode: 0o600 });
      await fs.promises.rename(tmp, this.file);
      return next;
    });
    this.queue = stored.catch(() => undefined);
    return stored;
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
