import type { Db } from '../db/open';
import { blockFillSql, type Prefix } from './tables';

// The summary tables computed from the derived rows in one pass each, for a rebuild's freshly loaded table
// set (the live engine keeps the same tables with deltas instead: Engine.countConversation, countLead,
// countRevenue). Both must agree row for row; the rebuild property in tests/unit/attribution/properties.test.ts checks it.
// Rows whose figure is zero are not stored, as the deltas' flush leaves none.

const FILLS: readonly string[] = [
  'INSERT INTO $sum_day SELECT phone, day, prev_day, COUNT(*) FROM $conversations GROUP BY 1, 2, 3',
  'INSERT INTO $sum_src SELECT phone, day, source, prev_src_day, COUNT(*) FROM $conversations GROUP BY 1, 2, 3, 4',
  'INSERT INTO $day_n SELECT phone, day, COUNT(*) FROM $conversations GROUP BY 1, 2',
  'INSERT INTO $day_prev SELECT phone, prev_day, COUNT(*) FROM $conversations WHERE prev_day >= 0 GROUP BY 1, 2',
  'INSERT INTO $src_all SELECT phone, source, COUNT(*), SUM(prev_src_day >= 0) FROM $conversations GROUP BY 1, 2',
  `INSERT INTO $src_prev SELECT phone, prev_src_day, source, COUNT(*) FROM $conversations
     WHERE prev_src_day >= 0 GROUP BY 1, 2, 3`,
  // A conv_events row is a lead; its occurrences are the event's occurrences in that conversation.
  `INSERT INTO $sum_event SELECT phone, event, day, source, COUNT(*), SUM(occurrences) FROM $conv_events
     GROUP BY 1, 2, 3, 4`,
  'INSERT INTO $sum_day_event SELECT phone, event, day, COUNT(*), SUM(occurrences) FROM $conv_events GROUP BY 1, 2, 3',
  'INSERT INTO $event_all SELECT phone, event, source, COUNT(*), SUM(occurrences) FROM $conv_events GROUP BY 1, 2, 3',
  `INSERT INTO $sum_rev SELECT c.phone, o.event, c.day, c.source, o.currency, SUM(o.amount)
     FROM $occurrences o JOIN $conversations c ON c.id = o.conv WHERE o.amount IS NOT NULL AND o.currency IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5 HAVING SUM(o.amount) <> 0`,
  `INSERT INTO $rev_all SELECT c.phone, o.event, c.source, o.currency, SUM(o.amount)
     FROM $occurrences o JOIN $conversations c ON c.id = o.conv WHERE o.amount IS NOT NULL AND o.currency IS NOT NULL
     GROUP BY 1, 2, 3, 4 HAVING SUM(o.amount) <> 0`,
  `INSERT INTO $day_rev SELECT c.phone, o.event, c.day, o.currency, SUM(o.amount)
     FROM $occurrences o JOIN $conversations c ON c.id = o.conv WHERE o.amount IS NOT NULL AND o.currency IS NOT NULL
     GROUP BY 1, 2, 3, 4 HAVING SUM(o.amount) <> 0`,
];

/**
 * Fills the (empty) summary tables of table set `p` from its conversations, conv_events and occurrences.
 * Runs before the set's block triggers exist, so sum_src's rows are not counted into the blocks twice.
 */
export function fillSummaries(db: Db, p: Prefix): void {
  for (const sql of FILLS) db.exec(sql.replaceAll('$', p));
  for (const sql of blockFillSql(p)) db.exec(sql);
}
