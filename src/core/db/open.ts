import path from 'node:path';
import Database from 'better-sqlite3';
import { type Migration, migrate } from './migrate';
import { migrations as allMigrations } from './migrations';
import { ensurePrivateDatabaseFile, ensurePrivateDir } from './private-files';

export type Db = Database.Database;

export interface OpenOptions {
  /** Path of a better_sqlite3.node built for the running runtime (Electron); default: the package's own. */
  nativeBinding?: string;
  readonly?: boolean;
  migrations?: readonly Migration[];
}

/** Where Electron's main process tells workers which better-sqlite3 binary to load. */
export function nativeBindingFromEnv(): string | undefined {
  return process.env.INSIGHTS_SQLITE_BINDING || undefined;
}

/**
 * Opens (creating when needed) a workspace database with the settings every process shares:
 * WAL so the app, the CLI and `serve` can read while one writes; synchronous=NORMAL, which in WAL mode
 * keeps every committed transaction across a process kill; a busy timeout for cross-process writers.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (!options.readonly && file !== ':memory:' && file !== '') {
    // Owner-only whatever the umask: the folder 0700, the database and its -wal/-shm 0600.
    ensurePrivateDir(path.dirname(file), true);
    ensurePrivateDatabaseFile(file);
  }
  const nativeBinding = options.nativeBinding ?? nativeBindingFromEnv();
  const db = new Database(file, {
    readonly: options.readonly ?? false,
    ...(nativeBinding ? { nativeBinding } : {}),
  });
  try {
    db.pragma('busy_timeout = 10000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -65536');
    if (!options.readonly) migrate(db, options.migrations ?? allMigrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
