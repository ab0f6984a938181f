import { OutboxState } from '../../shared/contract/conversions';
import { nextSeq, OUTBOX_COLUMNS, type OutboxRow } from '../conversions/outbox';
import type { Db } from '../db/open';

// The desktop's mirror of the collector's conversions outbox. When a collector is configured it alone
// sends to Meta; its outbox rows arrive through GET /v1/sync (`outbox` lines) and are kept here with
// origin = 'collector', so `conversions.status` and `conversions.list` show what the collector did.
// The collector's state wins, except over a row this desktop sent itself before it was connected: what
// Meta answered here stays as recorded (the collector knows it as "sent elsewhere", handover.ts).

/** One feed row, checked: every value comes from the network and must not break a later read. */
export type MirroredRow = Omit<OutboxRow, 'ctwa_clid' | 'origin' | 'seq'>;

const MAX_TEXT = 2000;
const str = (v: unknown, max = 300): string | undefined =>
  typeof v === 'string' && v !== '' && v.length <= max ? v : undefined;
const optStr = (v: unknown, max = 300): string | null | undefined =>
  v === null || v === undefined ? null : str(v, max);
const int = (v: unknown): number | undefined => (Number.isSafeInteger(v) ? (v as number) : undefined);
const optInt = (v: unknown): number | null | undefined => (v === null || v === undefined ? null : int(v));

/** A feed line's row, or null when any field is missing or not what the collector writes. */
export function toMirroredRow(o: Record<string, unknown>): MirroredRow | null {
  const state = OutboxState.safeParse(o.state);
  const row = {
    event_id: typeof o.event_id === 'string' && /^[0-9a-f]{32}$/.test(o.event_id) ? o.event_id : undefined,
    conversation: str(o.conversation),
    phone_number_id: str(o.phone_number_id),
    // Not in the feed (feed.ts): the mirror never holds the contact.
    contact_id: null,
    source_key: str(o.source_key),
    event_key: str(o.event_key),
    meta_event: str(o.meta_event, 100),
    occurrence: str(o.occurrence),
    event_time: int(o.event_time),
    value_micros: optInt(o.value_micros),
    currency: optStr(o.currency, 10),
    state: state.success ? state.data : undefined,
    reason: optStr(o.reason, 100),
    error: optStr(o.error, MAX_TEXT),
    attempts: int(o.attempts),
    next_attempt_at: optInt(o.next_attempt_at),
    events_received: optInt(o.events_received),
    fbtrace_id: optStr(o.fbtrace_id),
    sent_at: optInt(o.sent_at),
    created_at: int(o.created_at),
    updated_at: int(o.updated_at),
  };
  return Object.values(row).some((v) => v === undefined) ? null : (row as MirroredRow);
}

/** What a desktop keeps of a collector's row: not the click id (feed.ts does not serve it). */
const COLUMNS = OUTBOX_COLUMNS.filter((c) => c !== 'ctwa_clid');

const UPSERT = `INSERT INTO capi_outbox (${COLUMNS.join(', ')}, origin, seq)
  VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')}, 'collector', @seq)
  ON CONFLICT (event_id) DO UPDATE SET
    ${COLUMNS.filter((c) => c !== 'event_id')
      .map((c) => `${c} = excluded.${c}`)
      .join(',\n    ')},
    origin = 'collector', seq = excluded.seq
  WHERE NOT (capi_outbox.origin = 'local' AND capi_outbox.state = 'sent')`;

/**
 * Another live row for the same occurrence and Meta name (the unique index allows one) that this
 * desktop planned itself and never sent: the collector decides now, so it is withdrawn.
 */
const WITHDRAW_RIVAL = `UPDATE capi_outbox SET state = 'withdrawn', updated_at = @now, seq = @seq
  WHERE occurrence = @occurrence AND meta_event = @meta_event AND event_id <> @event_id
    AND state IN ('pending', 'failed', 'not_sendable')`;

/**
 * Upserts the collector's rows, in feed order, inside the caller's transaction. Returns how many were
 * stored; a row that still collides with an entry this desktop sent for the same occurrence is passed
 * over (that occurrence reached Meta once already).
 */
export function mirrorOutboxRows(db: Db, rows: readonly MirroredRow[], now = Date.now()): number {
  const upsert = db.prepare(UPSERT);
  const withdrawRival = db.prepare(WITHDRAW_RIVAL);
  // Rows written in one transaction take increasing seqs from one lookup (a skipped number is harmless).
  let seq = nextSeq(db);
  let stored = 0;
  for (const row of rows) {
    if (row.state !== 'withdrawn') {
      const rival = {
        now,
        seq,
        occurrence: row.occurrence,
        meta_event: row.meta_event,
        event_id: row.event_id,
      };
      seq += withdrawRival.run(rival).changes;
    }
    try {
      stored += upsert.run({ ...row, seq: seq++ }).changes;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
    }
  }
  return stored;
}
