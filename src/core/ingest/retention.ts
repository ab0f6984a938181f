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

/**
 * Drops bodies older than the retention, in small statements so other writers (the receiver) get the
 * database between them; at most `maxRows` (default: all). Returns how many.
 */
export function applyRetention(db: Db, now = Date.now(), maxRows = Number.POSITIVE_INFINITY): number {
  const days = getRetentionDays(db);
  if (days === null) return 0;
  const step = db.prepare(
    `UPDATE raw_payloads SET body = NULL WHERE id IN (
       SELECT id FROM raw_payloads WHERE received_at < ? AND body IS NOT NULL LIMIT ?)`,
  );
  let total = 0;
  while (total < maxRows) {
    const n = step.run(now - days * 86_400_000, Math.min(5000, maxRows - total)).changes;
    total += n;
    if (n === 0) break;
  }
  return total;
}
