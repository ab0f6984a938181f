import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';

// The collector's side of GET /v1/sync: what a desktop lacks, in a stable order. Three append-only
// raw tables are served — raw_payloads, external_events, outgoing_messages (the send proxy's records:
// outgoing content never comes back by webhook, so a desktop can only learn it from the collector).
// Each is walked by rowid, which grows with every insert; the cursor is the last rowid served per table.

export interface Cursor {
  p: number;
  e: number;
  o: number;
}

export const START: Cursor = { p: 0, e: 0, o: 0 };

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.p, c.e, c.o])).toString('base64url');
}

export function decodeCursor(text: string | null | undefined): Cursor {
  if (!text) return START;
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 3 && v.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      return { p: v[0] as number, e: v[1] as number, o: v[2] as number };
    }
  } catch {
    // fall through
  }
  throw new ApiError('invalid_argument', 'after: not a cursor this collector issued', 'after');
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

export type FeedItem = PayloadItem | EventItem | OutgoingItem;

export interface FeedPage {
  items: FeedItem[];
  cursor: string;
  /** Rows after `cursor` not in this page (payloads whose body retention removed are skipped). */
  more: boolean;
}

/** Deflated bodies are inflated whatever zlib container the ingestion stored them in. */
export function inflateBody(body: Buffer): string {
  if (body[0] === 0x1f && body[1] === 0x8b) return gunzipSync(body).toString('utf8');
  if (body[0] === 0x78) {
    try {
      return inflateSync(body).toString('utf8');
    } catch {
      // a raw deflate stream can start with 0x78 too
    }
  }
  return inflateRawSync(body).toString('utf8');
}

/** How many rows lie after a cursor (for progress; payloads without a body included). */
export function remainingAfter(db: Db, c: Cursor): number {
  const n = (sql: string, after: number) => (db.prepare(sql).get(after) as { n: number }).n;
  return (
    n('SELECT COUNT(*) AS n FROM raw_payloads WHERE id > ?', c.p) +
    n('SELECT COUNT(*) AS n FROM external_events WHERE rowid > ?', c.e) +
    n('SELECT COUNT(*) AS n FROM outgoing_messages WHERE rowid > ?', c.o)
  );
}

/** Up to `limit` rows after `after`: payloads first, then events, then outgoing messages. */
export function readPage(db: Db, after: Cursor, limit: number): FeedPage {
  const c = { ...after };
  const items: FeedItem[] = [];
  const payloads = db
    .prepare(
      'SELECT id, received_at, origin, channel, body FROM raw_payloads WHERE id > ? ORDER BY id LIMIT ?',
    )
    .all(c.p, limit + 1) as {
    id: number;
    received_at: number;
    origin: string;
    channel: string | null;
    body: Buffer | null;
  }[];
  for (const r of payloads.slice(0, limit)) {
    c.p = r.id;
    // Retention removed the body: nothing to send, but the cursor moves past it.
    if (!r.body) continue;
    items.push({
      type: 'payload',
      cursor: encodeCursor(c),
      receivedAt: r.received_at,
      origin: r.origin,
      channel: r.channel,
      json: inflateBody(r.body),
    });
  }
  if (payloads.length > limit) return { items, cursor: encodeCursor(c), more: true };

  let room = limit - items.length;
  const events = db
    .prepare(
      `SELECT rowid AS rid, id, event_id, client_id, action, contact_id, ts, revenue_amount, revenue_currency, app_id,
              previous_external_event_id, received_at, origin
       FROM external_events WHERE rowid > ? ORDER BY rowid LIMIT ?`,
    )
    .all(c.e, room + 1) as ({ rid: number } & Record<string, unknown>)[];
  for (const { rid, ...event } of events.slice(0, room)) {
    c.e = rid;
    items.push({ type: 'event', cursor: encodeCursor(c), event });
  }
  if (events.length > room) return { items, cursor: encodeCursor(c), more: true };

  room = limit - items.length;
  const outgoing = db
    .prepare(
      `SELECT rowid AS rid, id, phone_number_id, contact_id, template_name, sent_at, buttons, origin
       FROM outgoing_messages WHERE rowid > ? ORDER BY rowid LIMIT ?`,
    )
    .all(c.o, room + 1) as ({ rid: number } & Record<string, unknown>)[];
  for (const { rid, ...row } of outgoing.slice(0, room)) {
    c.o = rid;
    items.push({ type: 'outgoing', cursor: encodeCursor(c), outgoing: row });
  }
  return { items, cursor: encodeCursor(c), more: outgoing.length > room };
}
