import type { Db } from '../db/open';
import { getSetting, setSetting } from '../db/settings';

// Raw payloads are what lets derived data be rebuilt without re-delivery, but at millions of messages
// they are most of the file. With a retention set, bodies older than it are dropped (the row, its hash
// — so a late re-delivery is still recognised — and everything derived from it stay).

export const RETENTION_KEY = 'ingest.rawRetentionDays';

export function getRetentionDays(db: Db): number | null {
  return getSetting<number | null>(db, RETENTION_KEY, null);
}

export function setRetentionDays(db: Db, days: number | null): void {
  setSetting(db, RETENTION_KEY, days);
}

/** Drops bodies older than the retention; returns how many. */
export function applyRetention(db: Db, now = Date.now()): number {
  const days = getRetentionDays(db);
  if (days === null) return 0;
  return db
    .prepare('UPDATE raw_payloads SET body = NULL WHERE body IS NOT NULL AND received_at < ?')
    .run(now - days * 86_400_000).changes;
}
