import { decodeCursor } from '../collector/feed';
import type { HostApi } from '../kernel/host-api';
import { decodePgCursor, encodePgCursor, type PgCursor } from './feed';
import { type PgStore, sql } from './pool';

// A desktop that synced from a SQLite collector holds a SQLite cursor (the last rowid served per table,
// src/core/collector/feed.ts). After `insights collector migrate` the PostgreSQL collectors answer it:
// the cursor becomes, per table, the PostgreSQL position just before the first row the desktop has not
// had, so nothing is skipped and nearly nothing is served twice.
//
// "Had" means: copied from SQLite (sqlite_import_rows) at a rowid up to the cursor's, and not served
// again since (a reissued row after the cursor's `r`). Any other row — received by a PostgreSQL collector,
// or past the cursor — is one it has not had, and so is every row of a transaction not yet finished
// (xid at or above the snapshot's xmin, as in src/core/pg/feed.ts). The position is the last row before
// the first such row in feed order. Rows after it that the desktop did have come again and are
// absorbed by its own unique keys (payload hash, event id, message id), as any re-sync is.

/** The tables `collector migrate` copies (the outbox is not copied: its walk starts at the beginning). */
type Kind = Exclude<keyof PgCursor, 'c'>;
const TABLE: Record<Kind, string> = {
  x: 'erasures',
  p: 'raw_payloads',
  e: 'external_events',
  o: 'outgoing_messages',
};

const POSITION = Object.fromEntries(
  (Object.keys(TABLE) as Kind[]).map((k) => [
    k,
    sql(
      `sqlite_cursor_${k}`,
      `WITH unseen AS (
         SELECT t.xid, t.seq FROM ${TABLE[k]} t
         LEFT JOIN sqlite_import_rows m ON m.workspace = t.workspace AND m.kind = '${k}' AND m.seq = t.seq
         WHERE t.workspace = $1
           AND (t.xid >= $4::xid8 OR m.sqlite_id IS NULL OR m.sqlite_id > $2 OR coalesce(m.reissued, 0) > $3)
         ORDER BY t.xid, t.seq LIMIT 1)
       SELECT t.xid::text AS xid, t.seq FROM ${TABLE[k]} t
       WHERE t.workspace = $1 AND t.xid < $4::xid8
         AND (NOT EXISTS (SELECT 1 FROM unseen) OR (t.xid, t.seq) < (SELECT xid, seq FROM unseen))
       ORDER BY t.xid DESC, t.seq DESC LIMIT 1`,
    ),
  ]),
) as Record<Kind, ReturnType<typeof sql>>;
const XMIN = sql('sqlite_cursor_xmin', 'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');

/** Whether `text` is a cursor of the PostgreSQL feed (else a SQLite one, or garbage). */
function isPgCursor(text: string): boolean {
  try {
    decodePgCursor(text);
    return true;
  } catch {
    return false;
  }
}

/** The PostgreSQL cursor that resumes a desktop holding the SQLite cursor `text` (400 if it is none). */
export async function pgCursorFromSqlite(store: PgStore, workspace: string, text: string): Promise<string> {
  const s = decodeCursor(text)!;
  const rowid: Record<Kind, number> = { x: s.x, p: s.p, e: s.e, o: s.o };
  return store.tx(async (c) => {
    const [{ xmin }] = (await store.query(XMIN, [], c)) as [{ xmin: string }];
    const out: PgCursor = { x: ['0', 0], p: ['0', 0], e: ['0', 0], o: ['0', 0], c: ['0', 0] };
    for (const k of Object.keys(TABLE) as Kind[]) {
      const [row] = await store.query<{ xid: string; seq: number }>(
        POSITION[k],
        [workspace, rowid[k], k === 'x' ? 0 : s.r, xmin],
        c,
      );
      out[k] = row ? [row.xid, row.seq] : ['0', 0];
    }
    return encodePgCursor(out);
  }, 'ISOLATION LEVEL REPEATABLE READ READ ONLY');
}

/**
 * The PostgreSQL collector with SQLite cursors honoured: a `collector.page` after a SQLite cursor reads
 * from its PostgreSQL equivalent; everything else goes through unchanged.
 */
export function honourSqliteCursors(collector: HostApi & { store: PgStore }): HostApi {
  return {
    get dataDir() {
      return collector.dataDir;
    },
    call: (method, workspace, args) => collector.call(method, workspace, args),
    onEvent: (listener) => collector.onEvent(listener),
    hasWorkspace: (workspace) => collector.hasWorkspace?.(workspace) ?? true,
    async internal(name, workspace, args, lane) {
      const a = args as { after?: unknown } | null;
      if (name === 'collector.page' && typeof a?.after === 'string' && a.after && !isPgCursor(a.after))
        args = { ...a, after: await pgCursorFromSqlite(collector.store, workspace, a.after) };
      return collector.internal(name, workspace, args, lane);
    },
  };
}
