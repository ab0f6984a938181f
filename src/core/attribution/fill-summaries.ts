import type { Db } from '../db/open';
import { SUMMARIES } from './derived-cache';
import { blockFillSql, type Prefix } from './tables';

// The summary tables computed from the derived rows in one pass each, for a rebuild's freshly loaded table
// set (the live engine keeps the same tables with the declaration's deltas instead: derived-cache.ts).
// Both must agree row for row; the rebuild property in tests/unit/attribution/properties.test.ts checks it.
// Rows whose figure is zero are not stored, as the deltas' flush leaves none.

/**
 * Fills the (empty) summary tables of table set `p` from its conversations, conv_events and occurrences.
 * Runs before the set's block triggers exist, so sum_src's rows are not counted into the blocks twice.
 */
export function fillSummaries(db: Db, p: Prefix): void {
  for (const [table, s] of Object.entries(SUMMARIES))
    db.exec(`INSERT INTO ${p}${table} ${s.fill.replaceAll('$', p)}`);
  for (const sql of blockFillSql(p)) db.exec(sql);
}
