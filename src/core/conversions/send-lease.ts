import { randomUUID } from 'node:crypto';
import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import type { CoreContext } from '../kernel/context';

// One sender per workspace at a time, across processes on one data folder (the app, `insights serve`, a CLI
// `conversions send`): two senders reading the same pending entries would send them twice. The lease is a
// value in `settings` under LEASE_KEY,, claimed in an IMMEDIATE transaction. A lease
// whose process is gone (killed) is taken over at once; one not renewed for LEASE_MS is taken over too.

const LEASE_KEY = 'capi.sendLease';
const LEASE_MS = 10 * 60_000;

interface Lease {
  pid: number;
  id: string;
  at: number;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function read(db: Db): Lease | null {
  const v = db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(LEASE_KEY) as
    | string
    | undefined;
  return v ? (JSON.parse(v) as Lease) : null;
}

/** Workspaces whose sender runs in this process (the lease's pid cannot tell two lanes apart). */
const running = new Set<string>();

export async function withSendLease<T>(ctx: CoreContext, fn: () => Promise<T>): Promise<T> {
  const db = ctx.db();
  const key = `${ctx.dataDir}\u0000${ctx.workspace}`;
  if (running.has(key)) throw new ApiError('conflict', 'Conversions are being sent to Meta already');
  const mine: Lease = { pid: process.pid, id: randomUUID(), at: Date.now() };
  db.transaction(() => {
    const held = read(db);
    if (held && held.pid !== process.pid && alive(held.pid) && Date.now() - held.at < LEASE_MS)
      throw new ApiError(
        'conflict',
        `Conversions are being sent to Meta by another process (pid ${held.pid})`,
      );
    db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ).run(LEASE_KEY, JSON.stringify(mine));
  }).immediate();
  running.add(key);
  try {
    return await fn();
  } finally {
    running.delete(key);
    db.transaction(() => {
      if (read(db)?.id === mine.id) db.prepare('DELETE FROM settings WHERE key = ?').run(LEASE_KEY);
    }).immediate();
  }
}
