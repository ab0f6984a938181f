import { nextSeq, outboxEventId } from '../../src/core/conversions/outbox';
import type { Db } from '../../src/core/db/open';

// Outbox rows written the way the conversions core writes them (every write raises seq), for tests of
// the collector feed, the desktop's mirror and the handover that do not need a planner.

export interface OutboxRowInput {
  conversation: string;
  eventKey?: string;
  metaEvent?: string;
  state?: string;
  reason?: string | null;
  eventTime?: number;
  origin?: 'local' | 'collector';
  sentAt?: number | null;
  phoneNumberId?: string;
  occurrence?: string;
}

/** Inserts one row; returns its event_id. */
export function insertOutboxRow(db: Db, r: OutboxRowInput): string {
  const eventKey = r.eventKey ?? 'ext:Purchase';
  const metaEvent = r.metaEvent ?? 'Purchase';
  const eventId = outboxEventId(r.conversation, eventKey, metaEvent);
  const now = Date.now();
  db.prepare(
    `INSERT INTO capi_outbox (event_id, conversation, phone_number_id, contact_id, source_key, event_key,
       meta_event, occurrence, event_time, ctwa_clid, value_micros, currency, state, reason, sent_at,
       created_at, updated_at, origin, seq)
     VALUES (?, ?, ?, '4915100000001', 'ad:120210000000001', ?, ?, ?, ?, 'clid-1', 12500000, 'EUR', ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    eventId,
    r.conversation,
    r.phoneNumberId ?? '5550001',
    eventKey,
    metaEvent,
    r.occurrence ?? `occ.${r.conversation}.${eventKey}`,
    r.eventTime ?? Math.floor(now / 1000) - 3600,
    r.state ?? 'pending',
    r.reason ?? null,
    r.sentAt ?? (r.state === 'sent' ? now : null),
    now,
    now,
    r.origin ?? 'local',
    nextSeq(db),
  );
  return eventId;
}

/** Changes a row's state as the sender does: a new seq with every write. */
export function setOutboxState(db: Db, eventId: string, state: string, reason: string | null = null): void {
  const r = db
    .prepare(
      `UPDATE capi_outbox SET state = ?, reason = ?, attempts = attempts + 1, updated_at = ?, seq = ?,
         sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE event_id = ?`,
    )
    .run(state, reason, Date.now(), nextSeq(db), state, Date.now(), eventId);
  if (r.changes !== 1) throw new Error(`no outbox row ${eventId}`);
}

export const outboxStates = (
  db: Db,
): Record<string, { state: string; origin: string; reason: string | null }> =>
  Object.fromEntries(
    (
      db.prepare('SELECT event_id, state, origin, reason FROM capi_outbox ORDER BY event_id').all() as {
        event_id: string;
        state: string;
        origin: string;
        reason: string | null;
      }[]
    ).map((r) => [r.event_id, { state: r.state, origin: r.origin, reason: r.reason }]),
  );
