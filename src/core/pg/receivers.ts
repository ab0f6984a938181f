import { ApiError } from '../../shared/contract/errors';
import { hashesEqual } from '../ingest/channels';
import { parseExternalEvent } from '../ingest/external-events';
import { parseJsonText } from '../ingest/json-body';
import type { NormalizedPayload } from '../ingest/normalize';
import { type Prepared, type PreparedPayload, preparePayload } from '../ingest/prepare';
import { EventArgs, LookupArgs, WebhookArgs, type WebhookOutcome } from '../ingest/receiver';
import { type PgStore, type Queryable, sql } from './pool';

// The webhook and external-event receivers' writes on PostgreSQL (the routes are those of
// src/core/ingest/routes.ts). Each delivery is one transaction and its answer is sent after its COMMIT, so
// a 200 means stored. Duplicates — a 360dialog retry, the same delivery reaching two collector processes —
// meet a unique constraint and INSERT … ON CONFLICT DO NOTHING: the second insert waits for the first
// transaction, then inserts nothing (https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT).

const CHANNEL = sql(
  'channel_by_id',
  'SELECT workspace, secret_hash FROM channels WHERE phone_number_id = $1',
);
const LIVE_KEY = sql(
  'api_key_live',
  'SELECT id, workspace, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
);
const TOUCH_KEY = sql('api_key_touch', 'UPDATE api_keys SET last_used_at = $2 WHERE id = $1');
const INS_RAW = sql(
  'raw_insert',
  `INSERT INTO raw_payloads (workspace, sha256, received_at, origin, format, channel, body, size)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (workspace, sha256) DO NOTHING RETURNING seq`,
);
const INS_CONTACTS = sql(
  'payload_contacts_insert',
  `INSERT INTO payload_contacts (workspace, contact_id, payload_seq)
   SELECT $1, c, $2 FROM unnest($3::text[]) AS c ON CONFLICT DO NOTHING`,
);
const INS_QUARANTINE = sql(
  'quarantine_insert',
  `INSERT INTO quarantine (workspace, origin, channel, reason, content_type, body, received_at)
   VALUES ($1, 'webhook', $2, $3, $4, $5, $6)`,
);
const INS_EVENT = sql(
  'event_insert',
  `INSERT INTO external_events (workspace, id, event_id, client_id, action, contact_id, ts, revenue_amount,
     revenue_currency, app_id, previous_external_event_id, received_at, origin)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'webhook') ON CONFLICT DO NOTHING RETURNING id`,
);
const EVENT_BY_EVENT_ID = sql(
  'event_by_event_id',
  'SELECT id FROM external_events WHERE workspace = $1 AND event_id = $2',
);

/** ingest.lookup: which workspace holds a channel (with its secret's hash) or a live API key. */
export async function lookupPg(
  store: PgStore,
  rawArgs: unknown,
): Promise<{ workspace: string | null; secretHash?: string }> {
  const args = LookupArgs.parse(rawArgs);
  if ('keyHash' in args) {
    const [key] = await store.query<{ workspace: string }>(LIVE_KEY, [Buffer.from(args.keyHash, 'hex')]);
    return { workspace: key?.workspace ?? null };
  }
  const [row] = await store.query<{ workspace: string; secret_hash: Buffer }>(CHANNEL, [args.channel]);
  return row
    ? { workspace: row.workspace, secretHash: row.secret_hash.toString('hex') }
    : { workspace: null };
}

/** The contact ids a payload names (as the SQLite side links them in raw_payload_contacts), for erasure. */
function contactIdsOf(rows: NormalizedPayload): string[] {
  const ids = new Set<string>();
  const add = (wa: string | null, user: string | null) => {
    if (wa) ids.add(wa);
    if (user) ids.add(`bsuid:${user}`);
  };
  for (const c of rows.contacts) add(c.waId, c.userId);
  for (const m of rows.messages) add(m.from, m.fromUserId);
  for (const s of rows.statuses) add(s.recipientId, s.recipientUserId);
  return [...ids];
}

/** Stores a readable payload and the contacts it names; false when the same body is there already. */
export async function storePayload(
  store: PgStore,
  c: Queryable,
  workspace: string,
  p: PreparedPayload,
): Promise<boolean> {
  const rows = typeof p.rows === 'string' ? (JSON.parse(p.rows) as NormalizedPayload) : p.rows;
  const [inserted] = await store.query<{ seq: number }>(
    INS_RAW,
    [
      workspace,
      Buffer.from(p.hash),
      p.receivedAt ?? Date.now(),
      p.origin,
      rows.format,
      p.channel,
      Buffer.from(p.body),
      p.size,
    ],
    c,
  );
  if (!inserted) return false;
  await store.query(INS_CONTACTS, [workspace, inserted.seq, contactIdsOf(rows)], c);
  return true;
}

/** ingest.webhook: checks the channel secret again in the transaction, stores the payload once. */
export async function receiveWebhookPg(
  store: PgStore,
  workspace: string,
  rawArgs: unknown,
): Promise<WebhookOutcome> {
  const args = WebhookArgs.parse(rawArgs);
  const parsed = args.prepared ? null : parseJsonText(args.body ?? '');
  const item: Prepared | null = args.prepared
    ? { ok: true, payload: args.prepared }
    : parsed?.ok
      ? preparePayload({
          body: parsed.value,
          origin: 'webhook',
          channel: args.channel,
          receivedAt: args.receivedAt,
        })
      : null;
  return store.tx(async (c) => {
    const [ch] = await store.query<{ workspace: string; secret_hash: Buffer }>(CHANNEL, [args.channel], c);
    // A channel removed (or moved) since the route looked it up answers as a wrong secret does.
    if (
      !ch ||
      ch.workspace !== workspace ||
      !hashesEqual(ch.secret_hash, Buffer.from(args.secretHash, 'hex'))
    )
      return { status: 401, message: 'Unknown channel or wrong channel secret' };
    const quarantine = (reason: string, body = args.body ?? '') =>
      store.query(
        INS_QUARANTINE,
        [workspace, args.channel, reason, args.contentType, Buffer.from(body, 'utf8'), args.receivedAt],
        c,
      );
    if (!item?.ok) {
      const reason = item ? item.reason : parsed && !parsed.ok ? parsed.error : 'unreadable';
      await quarantine(reason);
      return { status: 400, message: reason };
    }
    const p = item.payload;
    // Same canonical body: stored already, by this or another process.
    if (!(await storePayload(store, c, workspace, p))) return { status: 200, duplicate: true };
    if (p.invalid) {
      // The readable part is stored: a 200 stops 360dialog's retries; the rest waits in the quarantine.
      await quarantine(`not stored: ${p.invalid.reason}`, p.invalid.body);
      return { status: 200, message: `partly stored; quarantined: ${p.invalid.reason}` };
    }
    return { status: 200 };
  });
}

/** ingest.externalEvent: stored once per event_id (the sender's, or its Idempotency-Key). */
export async function receiveExternalEventPg(
  store: PgStore,
  workspace: string,
  rawArgs: unknown,
): Promise<{ external_event_id: string; duplicate: boolean }> {
  const args = EventArgs.parse(rawArgs);
  return store.tx(async (c) => {
    await authenticateKeyPg(store, c, workspace, args.keyHash, args.receivedAt);
    const e = parseExternalEvent(args.event);
    if (args.idempotencyKey) e.eventId = args.idempotencyKey;
    const id = `ee_${crypto.randomUUID()}`;
    const [row] = await store.query<{ id: string }>(
      INS_EVENT,
      [
        workspace,
        id,
        e.eventId,
        args.clientId,
        e.action,
        e.contactId,
        e.ts ?? Math.floor(args.receivedAt / 1000),
        e.revenueAmount,
        e.revenueCurrency,
        e.appId,
        e.previousExternalEventId,
        args.receivedAt,
      ],
      c,
    );
    if (row) return { external_event_id: row.id, duplicate: false };
    const [first] = await store.query<{ id: string }>(EVENT_BY_EVENT_ID, [workspace, e.eventId], c);
    if (!first) throw new Error('external event neither inserted nor found'); // cannot happen: see ON CONFLICT
    return { external_event_id: first.id, duplicate: true };
  });
}

async function authenticateKeyPg(
  store: PgStore,
  c: Queryable,
  workspace: string,
  keyHash: string,
  now: number,
): Promise<void> {
  const [key] = await store.query<{ id: string; workspace: string; last_used_at: number | null }>(
    LIVE_KEY,
    [Buffer.from(keyHash, 'hex')],
    c,
  );
  if (!key || key.workspace !== workspace) throw new ApiError('unauthorized', 'Unknown or revoked api_key');
  // Marked used at most once a minute: a burst of events must not queue on one row's lock.
  if (key.last_used_at === null || now - key.last_used_at > 60_000)
    await store.query(TOUCH_KEY, [key.id, now], c);
}
