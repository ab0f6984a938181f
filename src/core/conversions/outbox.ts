import { createHash } from 'node:crypto';
import type { OutboxCounts, OutboxEntry, OutboxState } from '../../shared/contract/conversions';
import type { Db } from '../db/open';
import { cachedStatement } from '../db/statements';

// The outbox (capi_outbox, migration 0010): one row per conversion that is or was to be sent to Meta.
// Every change of a row raises its seq, the position the collector feed walks (docs/collector.md).

/**
 * The event_id Meta gets: the same conversation, conversion event and Meta name give the same id on every
 * installation and after every rebuild (the conversation is named by its first message's WhatsApp id).
 */
export function outboxEventId(conversation: string, eventKey: string, metaEvent: string): string {
  return createHash('sha256').update(`${conversation}\n${eventKey}\n${metaEvent}`).digest('hex').slice(0, 32);
}

/** A fresh seq for the next row written (rows written in one transaction get increasing ones). */
export function nextSeq(db: Db): number {
  return cachedStatement(db, 'SELECT coalesce(max(seq), 0) + 1 FROM capi_outbox').pluck().get() as number;
}

export interface OutboxRow {
  event_id: string;
  conversation: string;
  phone_number_id: string;
  contact_id: string | null;
  source_key: string;
  event_key: string;
  meta_event: string;
  occurrence: string;
  event_time: number;
  ctwa_clid: string | null;
  value_micros: number | null;
  currency: string | null;
  state: OutboxState;
  reason: string | null;
  error: string | null;
  attempts: number;
  next_attempt_at: number | null;
  events_received: number | null;
  fbtrace_id: string | null;
  sent_at: number | null;
  created_at: number;
  updated_at: number;
  origin: 'local' | 'collector';
  seq: number;
}

/** Every column of a row but origin and seq, in table order (the PostgreSQL sender mirrors them all). */
export const OUTBOX_COLUMNS = [
  'event_id',
  'conversation',
  'phone_number_id',
  'contact_id',
  'source_key',
  'event_key',
  'meta_event',
  'occurrence',
  'event_time',
  'ctwa_clid',
  'value_micros',
  'currency',
  'state',
  'reason',
  'error',
  'attempts',
  'next_attempt_at',
  'events_received',
  'fbtrace_id',
  'sent_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof OutboxRow)[];

/** States a row never leaves: Meta has it, refused it, or it is too old. */
export const FINAL_STATES: ReadonlySet<OutboxState> = new Set(['sent', 'rejected', 'expired']);

export const ZERO_COUNTS: OutboxCounts = {
  pending: 0,
  sent: 0,
  failed: 0,
  rejected: 0,
  expired: 0,
  notSendable: 0,
  withdrawn: 0,
};

const COUNT_KEY: Record<OutboxState, keyof OutboxCounts> = {
  pending: 'pending',
  sent: 'sent',
  failed: 'failed',
  rejected: 'rejected',
  expired: 'expired',
  not_sendable: 'notSendable',
  withdrawn: 'withdrawn',
};

/** Entries per state, for event times in [fromS, toS) and one source when given. */
export function countByState(
  db: Db,
  filter: { fromS?: number; toS?: number; source?: string } = {},
): OutboxCounts {
  const rows = db
    .prepare(
      `SELECT state, COUNT(*) AS n FROM capi_outbox
        WHERE event_time >= ? AND event_time < ? AND (? IS NULL OR source_key = ?)
        GROUP BY state`,
    )
    .all(
      filter.fromS ?? 0,
      filter.toS ?? Number.MAX_SAFE_INTEGER,
      filter.source ?? null,
      filter.source ?? null,
    ) as {
    state: OutboxState;
    n: number;
  }[];
  const out = { ...ZERO_COUNTS };
  for (const r of rows) out[COUNT_KEY[r.state]] = r.n;
  return out;
}

/** What a reason code means, for entries that carry no message from Meta. */
const REASON_TEXT: Record<string, string> = {
  no_click_id:
    'Not sendable: the conversation has no click id (ctwa_clid) — a Status placement, or a referral without one',
  no_waba: 'Not sendable: the WhatsApp Business Account of this number is not known (enter it in Settings)',
  too_old: 'Expired: it was more than 7 days old before it could be sent',
  moved: 'Withdrawn: attribution moved this conversion to another conversation before it was sent',
  erased: 'Withdrawn: the contact was erased before it was sent',
  unmapped: 'Withdrawn: the event is no longer mapped to this Meta event',
  sent_elsewhere: 'Sent by another installation',
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toEntry(r: OutboxRow): OutboxEntry {
  return {
    eventId: r.event_id,
    conversation: r.conversation,
    phoneNumberId: r.phone_number_id,
    sourceKey: r.source_key,
    conversionEvent: r.event_key,
    metaEvent: r.meta_event,
    eventTime: new Date(r.event_time * 1000).toISOString(),
    state: r.state,
    value: r.value_micros === null ? null : r.value_micros / 1_000_000,
    currency: r.currency,
    attempts: r.attempts,
    error: r.error ?? (r.reason ? (REASON_TEXT[r.reason] ?? null) : null),
    errorCode: r.reason,
    sentAt: iso(r.sent_at),
    fbtraceId: r.fbtrace_id,
  };
}

export function listEntries(
  db: Db,
  filter: { state?: OutboxState | undefined; source?: string | undefined; limit: number; offset: number },
): { entries: OutboxEntry[]; total: number } {
  const where = '(? IS NULL OR state = ?) AND (? IS NULL OR source_key = ?)';
  const args = [filter.state ?? null, filter.state ?? null, filter.source ?? null, filter.source ?? null];
  const total = db
    .prepare(`SELECT COUNT(*) FROM capi_outbox WHERE ${where}`)
    .pluck()
    .get(...args) as number;
  const rows = db
    .prepare(`SELECT * FROM capi_outbox WHERE ${where} ORDER BY event_time DESC, event_id LIMIT ? OFFSET ?`)
    .all(...args, filter.limit, filter.offset) as OutboxRow[];
  return { entries: rows.map(toEntry), total };
}

/**
 * Right to erasure: the contacts' entries keep only what stops a second send (event_id, state); unsent
 * ones are withdrawn. Their conversations are gone, so nothing queues them again.
 */
export function eraseOutboxContacts(db: Db, contactIds: string[], nowMs: number): void {
  const ids = db
    .prepare('SELECT event_id FROM capi_outbox WHERE contact_id IN (SELECT value FROM json_each(?))')
    .pluck()
    .all(JSON.stringify(contactIds)) as string[];
  let seq = nextSeq(db);
  const st = db.prepare(
    `UPDATE capi_outbox SET contact_id = NULL, ctwa_clid = NULL, updated_at = ?, seq = ?,
        state = CASE WHEN state IN ('pending', 'failed', 'not_sendable') THEN 'withdrawn' ELSE state END,
        reason = CASE WHEN state IN ('pending', 'failed', 'not_sendable') THEN 'erased' ELSE reason END
      WHERE event_id = ?`,
  );
  for (const id of ids) st.run(nowMs, seq++, id);
}
