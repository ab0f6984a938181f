import {
  decodeCursorArray,
  encodeCursorArray,
  type FeedItem,
  type FeedPage,
  inflateBody,
} from '../collector/feed';
import { type PgStore, type Queryable, sql } from './pool';

// GET /v1/sync on PostgreSQL: the same lines as the SQLite feed (src/core/collector/feed.ts), in a
// commit-safe order. With several writers, a row with a smaller sequence number can commit after one with
// a larger one, so "last seq served" would skip it. Instead every feed row records the id of the
// transaction that wrote it (xid8), and a page is read in one REPEATABLE READ snapshot that serves only
// rows whose xid is below the snapshot's xmin: every transaction with a smaller xid has finished (committed
// or rolled back), so all such rows are visible and no more can appear
// (https://www.postgresql.org/docs/current/functions-info.html#FUNCTIONS-PG-SNAPSHOT: pg_snapshot_xmin,
// "the earliest transaction ID that is still active"). Rows are walked in (xid, seq) order and the cursor
// keeps the last (xid, seq) served per table. A row committed after the page was read belongs to a
// transaction that was still running or not yet started, so its xid is ≥ that xmin, above everything
// served: it sorts after the cursor and the next page serves it — once. The price: one long-running
// writing transaction (in any database of the server: xids are cluster-wide) holds the feed back until it
// ends (the receivers' transactions are short).
//
// The cursor stays opaque to desktops (src/core/collector/pull.ts stores and returns it unchanged).

type Kind = 'x' | 'p' | 'e' | 'o' | 'c';
const KINDS: readonly Kind[] = ['x', 'p', 'e', 'o', 'c'];

/** Last (xid, seq) served per table; xid as decimal text (xid8 exceeds 2^53 in principle). */
export type PgCursor = Record<Kind, [xid: string, seq: number]>;

const TAG = 'pg1';
const ZERO: [string, number] = ['0', 0];

export function encodePgCursor(c: PgCursor): string {
  return encodeCursorArray([TAG, ...KINDS.flatMap((k) => c[k])]);
}

/** null for "from the beginning". */
export function decodePgCursor(text: string | null | undefined): PgCursor | null {
  return decodeCursorArray(text, (v) => {
    // A kind added later goes at the end of KINDS: a cursor issued before it starts that walk at the beginning.
    if (v[0] !== TAG || v.length % 2 !== 1 || v.length < 3 || v.length > 1 + 2 * KINDS.length)
      return undefined;
    const c = {} as PgCursor;
    for (const [i, k] of KINDS.entries()) {
      if (1 + 2 * i >= v.length) {
        c[k] = ZERO;
        continue;
      }
      const xid = v[1 + 2 * i];
      const seq = v[2 + 2 * i];
      if (
        typeof xid !== 'string' ||
        !/^\d{1,20}$/.test(xid) ||
        !Number.isSafeInteger(seq) ||
        (seq as number) < 0
      )
        return undefined;
      c[k] = [xid, seq as number];
    }
    return c;
  });
}

const COLUMNS: Record<Kind, string> = {
  x: 'contact_hash, erased_at',
  p: 'received_at, origin, channel, body',
  e: `id, event_id, client_id, action, contact_id, ts, revenue_amount, revenue_currency, app_id,
      previous_external_event_id, received_at, origin`,
  o: 'id, phone_number_id, contact_id, template_name, sent_at, buttons, origin',
  // The columns the SQLite collector serves (src/core/collector/feed.ts): not the click id or the contact.
  c: `event_id, conversation, phone_number_id, source_key, event_key, meta_event, occurrence, event_time,
      value_micros, currency, state, reason, error, attempts, next_attempt_at, events_received, fbtrace_id,
      sent_at, created_at, updated_at`,
};
const TABLE: Record<Kind, string> = {
  x: 'erasures',
  p: 'raw_payloads',
  e: 'external_events',
  o: 'outgoing_messages',
  c: 'capi_outbox',
};

const AFTER = 'workspace = $1 AND (xid, seq) > ($2::xid8, $3) AND xid < $4::xid8';
const pageSql = Object.fromEntries(
  KINDS.map((k) => [
    k,
    sql(
      `feed_page_${k}`,
      // xid8 → text under another name: ORDER BY xid would otherwise sort the text output column.
      `SELECT xid::text AS xid_text, seq, ${COLUMNS[k]} FROM ${TABLE[k]} WHERE ${AFTER} ORDER BY xid, seq LIMIT $5`,
    ),
  ]),
) as Record<Kind, ReturnType<typeof sql>>;
const countSql = Object.fromEntries(
  KINDS.map((k) => [k, sql(`feed_count_${k}`, `SELECT count(*)::int AS n FROM ${TABLE[k]} WHERE ${AFTER}`)]),
) as Record<Kind, ReturnType<typeof sql>>;
const XMIN = sql('feed_xmin', 'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
const LAST_ERASURE = sql(
  'feed_last_erasure',
  `SELECT xid::text AS xid_text, seq FROM erasures WHERE workspace = $1 AND xid < $2::xid8
   ORDER BY xid DESC, seq DESC LIMIT 1`,
);

type Row = { xid_text: string; seq: number } & Record<string, unknown>;

function toItem(kind: Kind, row: Row, cursor: string): FeedItem | null {
  const { xid_text: _x, seq: _s, ...rest } = row;
  if (kind === 'x')
    return {
      type: 'erasure',
      cursor,
      contact: (row.contact_hash as Buffer).toString('hex'),
      erasedAt: row.erased_at as number,
    };
  if (kind === 'e') return { type: 'event', cursor, event: rest };
  if (kind === 'o') return { type: 'outgoing', cursor, outgoing: rest };
  if (kind === 'c') return { type: 'outbox', cursor, outbox: rest };
  if (!row.body) return null; // body removed by retention: passed over, the cursor moves on
  return {
    type: 'payload',
    cursor,
    receivedAt: row.received_at as number,
    origin: row.origin as string,
    channel: (row.channel as string | null) ?? null,
    json: inflateBody(row.body as Buffer),
  };
}

/**
 * Up to `limit` entries after `cursor` for a workspace: erasures first (a row of an erased contact still
 * stored was stored after its erasure, so the desktop erases first and keeps it), then payloads, events
 * and outgoing messages, then the conversions outbox (capi_outbox, every change of an entry serving it
 * again), each in (xid, seq) order; with the count of what remains when `count` is set.
 */
export async function readPgPage(
  store: PgStore,
  workspace: string,
  afterText: string,
  limit: number,
  count: boolean,
): Promise<{ page: FeedPage; remaining: number }> {
  const given = decodePgCursor(afterText);
  // One snapshot for the xmin, the page and the count (READ ONLY: the reader takes no xid of its own).
  return store.tx(async (c) => {
    const [{ xmin }] = (await store.query(XMIN, [], c)) as [{ xmin: string }];
    const cursor = given ?? (await startCursor(store, c, workspace, xmin));
    const page = await readPage(store, c, workspace, xmin, { ...cursor }, limit);
    let remaining = 0;
    if (count)
      for (const k of KINDS) {
        const [r] = await store.query<{ n: number }>(countSql[k], [workspace, ...cursor[k], xmin], c);
        remaining += r!.n;
      }
    return { page, remaining };
  }, 'ISOLATION LEVEL REPEATABLE READ READ ONLY');
}

/** A desktop starting from nothing walks every row; erasures logged so far concern rows already gone. */
async function startCursor(store: PgStore, c: Queryable, workspace: string, xmin: string): Promise<PgCursor> {
  const [last] = await store.query<{ xid_text: string; seq: number }>(LAST_ERASURE, [workspace, xmin], c);
  return { x: last ? [last.xid_text, last.seq] : ZERO, p: ZERO, e: ZERO, o: ZERO, c: ZERO };
}

async function readPage(
  store: PgStore,
  c: Queryable,
  workspace: string,
  xmin: string,
  cursor: PgCursor,
  limit: number,
): Promise<FeedPage> {
  const items: FeedItem[] = [];
  let consumed = 0; // entries passed, bodies or not: bounds the work of one page
  for (const kind of KINDS) {
    const room = limit - consumed;
    const rows = await store.query<Row>(pageSql[kind], [workspace, ...cursor[kind], xmin, room + 1], c);
    for (const row of rows.slice(0, room)) {
      cursor[kind] = [row.xid_text, row.seq];
      consumed++;
      const item = toItem(kind, row, encodePgCursor(cursor));
      if (item) items.push(item);
    }
    if (rows.length > room) return { items, cursor: encodePgCursor(cursor), more: true };
  }
  return { items, cursor: encodePgCursor(cursor), more: false };
}
