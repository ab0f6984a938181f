import type { Db } from '../db/open';

// Stand-in for nextSeq of src/core/conversions/outbox.ts until the conversions core lands: the next
// position of the collector feed's walk of capi_outbox. Call it inside the write transaction that
// changes the row, so no two writes get the same number.
export function nextSeq(db: Db): number {
  return (db.prepare('SELECT coalesce(max(seq), 0) + 1 AS n FROM capi_outbox').get() as { n: number }).n;
}
