import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/open';

// What a receiver acknowledges must survive a power cut: 360dialog does not re-send what it got a 200
// for. In WAL mode synchronous=NORMAL writes a commit to the WAL without syncing it ("a transaction
// committed in WAL mode with synchronous=NORMAL might roll back following a power loss",
// https://www.sqlite.org/pragma.html#pragma_synchronous). synchronous=FULL would sync inside every commit,
// holding the single writer for the length of an fsync. Instead the receiver syncs the WAL file itself,
// off the writer (libuv's thread pool), after a group commit and before its 200s: the writer stores the
// next batch while the disk syncs this one, and one sync covers every commit made before it started.

/** Which commits are acknowledged after a WAL sync; 'none' exists only so bench:ingest can show the cost. */
const MODE = process.env.INSIGHTS_BENCH_RECEIVER_DURABILITY === 'none' ? 'none' : 'wal-sync';

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

class WalSyncer {
  private running = false;
  private waiting: Waiter[] = [];
  /** The folder's entry for a new WAL file must reach the disk too, once (as SQLite's own syncs do). */
  private folderSynced = false;
  constructor(private readonly wal: string) {}

  /** Resolves once everything committed before this call is on the disk. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.running) this.run();
    });
  }

  private run(): void {
    const batch = this.waiting;
    this.waiting = [];
    this.running = true;
    const folder = this.folderSynced ? null : path.dirname(this.wal);
    this.folderSynced = true;
    syncFile(this.wal, folder, (err) => {
      if (err) this.folderSynced = false;
      for (const w of batch) err ? w.reject(err) : w.resolve();
      // Commits made while this sync ran wait for the next one.
      if (this.waiting.length > 0) this.run();
      else this.running = false;
    });
  }
}

function syncFile(
  file: string,
  folder: string | null,
  done: (err: NodeJS.ErrnoException | null) => void,
): void {
  // Opened per sync: SQLite may delete and recreate the WAL file; an old descriptor would sync the old one.
  fs.open(file, 'r', (err, fd) => {
    // No WAL file: nothing was committed through it that is not already in the database file.
    if (err) return done(err.code === 'ENOENT' ? null : err);
    fs.fdatasync(fd, (syncErr) =>
      fs.close(fd, () => (syncErr || folder === null ? done(syncErr) : syncFile(folder, null, done))),
    );
  });
}

const syncers = new WeakMap<Db, WalSyncer>();

/** Waits until the connection's commits so far are durable (a no-op for an in-memory database). */
export function walSynced(db: Db): Promise<void> {
  if (MODE === 'none' || db.memory) return Promise.resolve();
  let s = syncers.get(db);
  if (!s) {
    s = new WalSyncer(`${db.name}-wal`);
    syncers.set(db, s);
  }
  return s.sync();
}
