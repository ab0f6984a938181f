import type { Db } from '../../db/open';
import { cachedStatement } from '../../db/statements';

// Spend imported from a CSV for sources no ad platform syncs (docs/metrics.md, "Imported spend"): the
// daily rows of attr_spend_imports (migration 0011). Like an ad platform's synced spend, manual entries
// win on the days they cover (invested.ts).

export const IMPORTED = 'imported' as const;

/** Imported spend over the plain dates [from, to], per source key and currency (major units). */
export function importedSpend(db: Db, from: string, to: string): Map<string, Map<string, number>> {
  const rows = cachedStatement(
    db,
    `SELECT source_key, currency, SUM(amount) FROM attr_spend_imports WHERE date BETWEEN ? AND ?
     GROUP BY source_key, currency`,
  )
    .raw()
    .all(from, to) as [string, string, number][];
  const out = new Map<string, Map<string, number>>();
  for (const [key, cur, micro] of rows) {
    const sums = out.get(key) ?? new Map<string, number>();
    out.set(key, sums.set(cur, micro / 1_000_000));
  }
  return out;
}

/** Imported spend of one source per date and currency over [from, to]. */
export function importedDailySpend(
  db: Db,
  key: string,
  from: string,
  to: string,
): { date: string; currency: string; spend: number }[] {
  return cachedStatement(
    db,
    `SELECT date, currency, amount / 1000000.0 AS spend FROM attr_spend_imports
     WHERE source_key = ? AND date BETWEEN ? AND ?`,
  ).all(key, from, to) as { date: string; currency: string; spend: number }[];
}
