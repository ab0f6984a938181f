import fs from 'node:fs';
import path from 'node:path';

// The data folder holds a business's conversations and its secrets: only its owner may read it, whatever
// the umask. mkdir/open modes are masked by the umask, which can only take bits away, so 0700/0600 survive
// any umask; chmod also tightens what an older version created 0755/0644.

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) 0700; a folder that exists keeps its mode unless `tighten`. */
export function ensurePrivateDir(dir: string, tighten = false): void {
  const created = fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (created !== undefined || tighten) chmodQuiet(dir, PRIVATE_DIR_MODE);
  // mkdir's first created folder is `created`; the ones below it were created in the same call.
  if (created !== undefined) {
    for (let d = dir; d.length >= created.length && d !== path.dirname(d); d = path.dirname(d))
      chmodQuiet(d, PRIVATE_DIR_MODE);
  }
}

/**
 * A database file and its WAL and shared-memory files, 0600. SQLite would create the database 0644 less
 * the umask (https://www.sqlite.org/compile.html#default_file_permissions), so it is created empty (a
 * valid SQLite database) before SQLite opens it; SQLite creates -wal, -shm and -journal with the
 * database file's mode, ignoring the umask (https://sqlite.org/src/file/test/journal3.test).
 */
export function ensurePrivateDatabaseFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const suffix of ['', '-wal', '-shm', '-journal']) chmodQuiet(file + suffix, PRIVATE_FILE_MODE);
}

function chmodQuiet(p: string, mode: number): void {
  try {
    fs.chmodSync(p, mode);
  } catch (err) {
    // ENOENT: no WAL yet. Other errors (a read-only or foreign-owned file) surface when SQLite opens it.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'EPERM')
      throw err;
  }
}
