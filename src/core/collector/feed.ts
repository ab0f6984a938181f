import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';

// The collector's side of GET /v1/sync: what a desktop lacks, in a stable order. Three raw tables are
// served — raw_payloads, external_events, outgoing_messages (the send proxy's records: outgoing content
// never comes back by webhook, so a desktop can only learn it from the collector). Each is walked by
// rowid; the cursor holds the last rowid served per table, plus the last entry of sync_reissued served
// (rows inserted at a rowid freed by a delete, which a walk that passed it would miss; migration 0006)
// and the last entry of sync_erasures served (contacts erased here, to erase on the desktop; 0008).
// A fourth table, capi_outbox (conversions to Meta, 0010), is walked by `seq` instead of rowid: every
// change of a row raises its seq past every other, so a row comes round again each time its state
// changes, and a desktop that resumes gets each row's latest state once.

export interface Cursor {
  p: number;
  e: number;
  o: number;
  /** last sync_reissued.seq served */
  r: number;
  /** last sync_erasures.seq served */
  x: number;
  /** last capi_outbox.seq served */
  c: number;
}

type Kind = 'p' | 'e' | 'o';

/** A feed cursor on the wire: a JSON array in base64url (opaque to desktops; also the PostgreSQL feed's). */
export function encodeCursorArray(v: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

/**
 * A cursor from the wire: null for "from the beginning" (no cursor), else what `read` makes of its array;
 * `read` answers undefined (or throws) for one this collector did not issue, which is a 400.
 */
export function decodeCursorArray<T>(
  text: string | null | undefined,
  read: (v: unknown[]) => T | undefined,
): T | null {
  if (!text) return null;
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    const c = Array.isArray(v) ? read(v) : undefined;
    if (c !== undefined) return c;
  } catch {
    // fall through
  }
  throw new ApiError('invalid_argument', 'after: not a cursor this collector issued', 'after');
}

export function encodeCursor(c: Cursor): string {
  return encodeCursorArray([c.p, c.e, c.o, c.r, c.x, c.c]);
}

/** null for "from the beginning" (no cursor yet). */
export function decodeCursor(text: string | null | undefined): Cursor | null {
  // Four positions: a cursor issued before erasures were logged, so every logged one is new to it.
  // Five: issued before the outbox was served, so its walk starts at the beginning.
  return decodeCursorArray(text, (v) => {
    if (v.length < 4 || v.length > 6 || !v.every((n) => Number.isSafeInteger(n) && (n as number) >= 0))
      return undefined;
    const [p, e, o, r, x = 0, c = 0] = v as number[];
    return { p: p!, e: e!, o: o!, r: r!, x, c };
  });
}

/**
 * A desktop starting from nothing walks every row, so reissued ones up to now are already covered, and
 * erased contacts are already gone from what it will get.
 */
function startCursor(db: Db): Cursor {
  const max = (table: string) =>
    (db.prepare(`SELECT coalesce(max(seq), 0) AS n FROM ${table}`).get() as { n: number }).n;
  return { p: 0, e: 0, o: 0, r: max('sync_reissued'), x: max('sync_erasures'), c: 0 };
}

export interface PayloadItem {
  type: 'payload';
  cursor: string;
  receivedAt: number;
  origin: string;
  channel: string | null;
  /** The stored body, inflated: JSON text exactly as kept (embedded verbatim in the NDJSON line). */
  json: string;
}

export interface EventItem {
  type: 'event';
  cursor: string;
  event: Record<string, unknown>;
}

export interface OutgoingItem {
  type: 'outgoing';
  cursor: string;
  outgoing: Record<string, unknown>;
}

/** A contact erased on the collector: the desktop erases it too (before any row served after it). */
export interface ErasureItem {
  type: 'erasure';
  cursor: string;
  /** sha256 of the contact id, hex (erasureHash): the log never holds the number. */
  contact: string;
  erasedAt: number;
}

/** A conversions outbox row in its current state (the collector sends; the desktop mirrors). */
export interface OutboxItem {
  type: 'outbox';
  cursor: string;
  outbox: Record<string, unknown>;
}

export type FeedItem = PayloadItem | EventItem | OutgoingItem | ErasureItem | OutboxItem;

export interface FeedPage {
  items: FeedItem[];
  cursor: string;
  /** Rows remain after `cursor` (payloads whose body retention removed are passed over silently). */
  more: boolean;
}

/** Deflated bodies are inflated whatever zlib container the ingestion stored them in. */
export function inflateBody(body: Buffer): string {
  if (body[0] === 0x1f && body[1] === 0x8b) return gunzipSync(body).toString('utf8');
  // A zlib header (RFC 1950): method 8, any window size (small bodies are deflated with small windows).
  if (body.length >= 2 && (body[0]! & 0x0f) === 8 && (body[0]! * 256 + body[1]!) % 31 === 0) {
    try {
      return inflateSync(body).toString('utf8');
    } catch {
      // a raw deflate stream can look like a zlib header too
    }
  }
  return inflateRawSync(body).toString('utf8');
}

const SELECT = {
  p: 'SELECT id AS rid, received_at, origin, channel, body FROM raw_payloads',
  e: `SELECT rowid AS rid, id, event_id, client_id, action, contact_id, ts, revenue_amount, revenue_currency, app_id,
        previous_external_event_id, received_at, origin FROM external_events`,
  o: `SELECT rowid AS rid, id, phone_number_id, contact_id, template_name, sent_at, buttons, origin
      FROM outgoing_messages`,
} as const;
const WALK_KEY = { p: 'id', e: 'rowid', o: 'rowid' } as const;

type Row = { rid: number } & Record<string, unknown>;

/** One stored row as a feed item; null for a payload whose body retention removed. */
function toItem(kind: Kind, row: Row, cursor: string): FeedItem | null {
  const { rid: _rid, ...rest } = row;
  if (kind === 'e') return { type: 'event', cursor, event: rest };
  if (kind === 'o') return { type: 'outgoing', cursor, outgoing: rest };
  if (!row.body) return null;
  return {
    type: 'payload',
    cursor,
    receivedAt: row.received_at as number,
    origin: row.origin as string,
    channel: (row.channel as string | null) ?? null,
    json: inflateBody(row.body as Buffer),
  };
}

/** How many entries lie after a cursor (for progress; payloads without a body included). */
export function remainingAfter(db: Db, after: Cursor | null): number {
  const c = after ?? startCursor(db);
  const n = (sql: string, from: number) => (db.prepare(sql).get(from) as { n: number }).n;
  return (
    n('SELECT COUNT(*) AS n FROM sync_erasures WHERE seq > ?', c.x) +
    n('SELECT COUNT(*) AS n FROM sync_reissued WHERE seq > ?', c.r) +
    n('SELECT COUNT(*) AS n FROM raw_payloads WHERE id > ?', c.p) +
    n('SELECT COUNT(*) AS n FROM external_events WHERE rowid > ?', c.e) +
    n('SELECT COUNT(*) AS n FROM outgoing_messages WHERE rowid > ?', c.o) +
    n('SELECT COUNT(*) AS n FROM capi_outbox WHERE seq > ?', c.c)
  );
}

/**
 * The outbox columns a desktop mirrors to show what was sent: not the click id or the contact (a desktop
 * with a collector never sends, and an erase must not depend on the mirror) nor this side's origin and seq.
 */
const OUTBOX_SELECT = `SELECT seq, event_id, conversation, phone_number_id, source_key, event_key,
  meta_event, occurrence, event_time, value_micros, currency, state, reason, error, attempts, next_attempt_at,
  events_received, fbtrace_id, sent_at, created_at, updated_at
  FROM capi_outbox WHERE seq > ? ORDER BY seq LIMIT ?`;

/**
 * Up to `limit` entries after `after`: erasures first, then reissued rows, then payloads, events and
 * outgoing messages, each in rowid order, then outbox rows in seq order. Call inside one read transaction so the page is a snapshot.
 * Erasures lead because every row of an erased contact still in the snapshot was stored after its
 * erasure: the desktop must erase first and then keep those rows.
 */
export function readPage(db: Db, after: Cursor | null, limit: number): FeedPage {
  const c = { ...(after ?? startCursor(db)) };
  const items: FeedItem[] = [];
  const emit = (item: FeedItem | null) => {
    if (item) items.push(item);
  };
  let consumed = 0; // entries passed, bodies or not: bounds the work of one page

  const erasures = db
    .prepare('SELECT seq, contact_hash, erased_at FROM sync_erasures WHERE seq > ? ORDER BY seq LIMIT ?')
    .all(c.x, limit + 1) as { seq: number; contact_hash: Buffer; erased_at: number }[];
  for (const x of erasures.slice(0, limit)) {
    c.x = x.seq;
    consumed++;
    emit({
      type: 'erasure',
      cursor: encodeCursor(c),
      contact: x.contact_hash.toString('hex'),
      erasedAt: x.erased_at,
    });
  }
  if (erasures.length > limit) return { items, cursor: encodeCursor(c), more: true };

  const reissuedRoom = limit - consumed;
  const reissued = db
    .prepare('SELECT seq, kind, row FROM sync_reissued WHERE seq > ? ORDER BY seq LIMIT ?')
    .all(c.r, reissuedRoom + 1) as { seq: number; kind: Kind; row: number }[];
  for (const r of reissued.slice(0, reissuedRoom)) {
    c.r = r.seq;
    consumed++;
    const row = db.prepare(`${SELECT[r.kind]} WHERE ${WALK_KEY[r.kind]} = ?`).get(r.row) as Row | undefined;
    if (row) emit(toItem(r.kind, row, encodeCursor(c)));
  }
  if (reissued.length > reissuedRoom) return { items, cursor: encodeCursor(c), more: true };

  for (const kind of ['p', 'e', 'o'] as const) {
    const room = limit - consumed;
    const rows = db
      .prepare(`${SELECT[kind]} WHERE ${WALK_KEY[kind]} > ? ORDER BY ${WALK_KEY[kind]} LIMIT ?`)
      .all(c[kind], room + 1) as Row[];
    for (const row of rows.slice(0, room)) {
      c[kind] = row.rid;
      consumed++;
      emit(toItem(kind, row, encodeCursor(c)));
    }
    if (rows.length > room) return { items, cursor: encodeCursor(c), more: true };
  }

  const room = limit - consumed;
  const outbox = db.prepare(OUTBOX_SELECT).all(c.c, room + 1) as ({ seq: number } & Record<
    string,
    unknown
  >)[];
  for (const { seq, ...row } of outbox.slice(0, room)) {
    c.c = seq;
    consumed++;
    emit({ type: 'outbox', cursor: encodeCursor(c), outbox: row });
  }
  if (outbox.length > room) return { items, cursor: encodeCursor(c), more: true };
  return { items, cursor: encodeCursor(c), more: false };
}
