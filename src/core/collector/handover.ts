import { z } from 'zod';
import { ConversionEventId, MetaEventName } from '../../shared/contract/conversions';
import { ApiError } from '../../shared/contract/errors';
import { issueMessage } from '../../shared/contract/issues';
import { PhoneNumberId } from '../../shared/contract/phone-number-id';
import { nextSeq, outboxEventId } from '../conversions/outbox';
import type { Db } from '../db/open';

// The collector's side of the handover (POST /v1/conversions/sent, docs/collector.md): a desktop that
// sent conversions to Meta before it was connected to this collector reports their event ids, and they
// are recorded here as sent (reason `sent_elsewhere`), so this collector never sends them too — Meta does
// not deduplicate business-messaging events. The read token may only ever mark entries as sent: nothing
// is read, deleted or queued through it.

/** Entries per request: the desktop sends more in several requests. */
export const HANDOVER_MAX = 1000;

const EventTime = z
  .number()
  .int('eventTime: Unix seconds, a whole number')
  .min(1_000_000_000, 'eventTime: Unix seconds (after 2001)');

export const SentConversion = z
  .object({
    eventId: z.string().regex(/^[0-9a-f]{32}$/, 'an event id is 32 lowercase hex characters'),
    /** The conversation's first message id (WhatsApp's). */
    conversation: z.string().min(1).max(300),
    phoneNumberId: PhoneNumberId,
    sourceKey: z.string().max(300).regex(/^ad:./, 'a source key of an ad: ad:<ad id>'),
    eventKey: ConversionEventId,
    metaEvent: MetaEventName,
    occurrence: z.string().min(1).max(300),
    eventTime: EventTime,
    /** Unix ms when Meta accepted it on the desktop. */
    sentAt: z.number().int().min(1_000_000_000_000, 'sentAt: Unix milliseconds'),
  })
  .strict();
export type SentConversion = z.infer<typeof SentConversion>;

export const SentConversions = z
  .object({ events: z.array(SentConversion).min(1).max(HANDOVER_MAX) })
  .strict();
export type SentConversions = z.infer<typeof SentConversions>;

export interface HandoverResult {
  ok: true;
  /** Entries now recorded as sent elsewhere (new, or not sent yet here). */
  marked: number;
  /** Entries this collector had already sent or recorded as sent. */
  alreadySent: number;
}

/** "events[3].eventTime: …" — the first problem of a body, named by its place. */
function explain(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue || (issue.path.length === 0 && issue.code === 'invalid_type'))
    return 'The body must be a JSON object: { "events": [ …the conversions sent to Meta… ] }';
  const at = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return `${at ? `${at.replace(/^\./, '')}: ` : ''}${issueMessage(issue)}`;
}

/** Why one well-formed entry cannot be recorded, or null: its id must be the one its fields give. */
export function entryProblem(e: SentConversion, now = Date.now()): string | null {
  if (e.eventId !== outboxEventId(e.conversation, e.eventKey, e.metaEvent)) {
    return 'its eventId is not the id of its conversation, event and Meta event name';
  }
  // A day of clock difference is tolerated.
  if (e.eventTime * 1000 > now + 86_400_000 || e.sentAt > now + 86_400_000) {
    return 'its eventTime or sentAt is in the future';
  }
  return null;
}

/** Checks a request body: shapes, sizes, and every entry (the whole request is refused for one bad entry). */
export function parseSentConversions(body: unknown, now = Date.now()): SentConversions {
  // reportInput: a value of the wrong type is told apart from a missing one.
  const parsed = SentConversions.safeParse(body, { reportInput: true });
  if (!parsed.success) throw new ApiError('invalid_argument', explain(parsed.error), 'events');
  parsed.data.events.forEach((e, i) => {
    const problem = entryProblem(e, now);
    if (problem) throw new ApiError('invalid_argument', `events[${i}]: ${problem}`, 'events');
  });
  return parsed.data;
}

interface RowState {
  event_id: string;
  occurrence: string;
  meta_event: string;
  state: string;
}

/** Records each entry as sent elsewhere, in one transaction. */
export function recordSentElsewhere(db: Db, body: SentConversions, now = Date.now()): HandoverResult {
  const byId = db.prepare(
    'SELECT event_id, occurrence, meta_event, state FROM capi_outbox WHERE event_id = ?',
  );
  const liveFor = db.prepare(
    `SELECT event_id, occurrence, meta_event, state FROM capi_outbox
     WHERE occurrence = ? AND meta_event = ? AND state <> 'withdrawn'`,
  );
  const mark = db.prepare(
    `UPDATE capi_outbox SET state = 'sent', reason = 'sent_elsewhere', error = NULL, next_attempt_at = NULL,
       sent_at = ?, updated_at = ?, seq = ? WHERE event_id = ?`,
  );
  const insert = db.prepare(
    `INSERT INTO capi_outbox (event_id, conversation, phone_number_id, source_key, event_key, meta_event,
       occurrence, event_time, state, reason, sent_at, created_at, updated_at, seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sent', 'sent_elsewhere', ?, ?, ?, ?)`,
  );
  const result: HandoverResult = { ok: true, marked: 0, alreadySent: 0 };

  // A withdrawn entry marked sent may collide with the live entry of its occurrence (one live entry per
  // occurrence and Meta name): then that one stands for the occurrence Meta already has.
  const markRow = (row: RowState, sentAt: number): void => {
    if (row.state === 'sent') {
      result.alreadySent++;
      return;
    }
    try {
      mark.run(sentAt, now, nextSeq(db), row.event_id);
      result.marked++;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
      markRow(liveFor.get(row.occurrence, row.meta_event) as RowState, sentAt);
    }
  };

  db.transaction(() => {
    for (const e of body.events) {
      const known = (byId.get(e.eventId) ?? liveFor.get(e.occurrence, e.metaEvent)) as RowState | undefined;
      if (known) {
        markRow(known, e.sentAt);
        continue;
      }
      insert.run(
        e.eventId,
        e.conversation,
        e.phoneNumberId,
        e.sourceKey,
        e.eventKey,
        e.metaEvent,
        e.occurrence,
        e.eventTime,
        e.sentAt,
        now,
        now,
        nextSeq(db),
      );
      result.marked++;
    }
  }).immediate();
  return result;
}
