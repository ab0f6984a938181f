import { readSettings as readAttributionSettings } from '../attribution/config';
import { activePrefix } from '../attribution/tables';
import type { Db } from '../db/open';
import { FINAL_STATES, nextSeq, type OutboxRow, outboxEventId } from './outbox';
import { MAX_AGE_SECONDS, readCapiSettings, readMappings, wabaOf } from './settings';

// The planner: what should be sent to Meta, from the derived data (docs/conversions-api.md, "What is sent").
// A candidate is an ad conversation (source kind meta_ad) × each mapped event it is a lead for — the
// conv_events rule of the report's leads, so Ads Manager and the dashboard count the same conversions —
// at the time of the event's earliest occurrence there. The planner reconciles candidates with the outbox:
// new ones are queued, unsent ones follow attribution (or are withdrawn), final ones never change.

interface Candidate {
  conversation: string;
  phone: string;
  contact: string;
  source_key: string;
  event_key: string;
  /** JSON [ts, ref, amount, currency] of the earliest occurrence. */
  first: string;
  clid: string | null;
}

const candidateSql = (p: string, where: string) => `
SELECT c.first_message_id AS conversation, c.phone, c.contact, s.key AS source_key, e.key AS event_key,
       (SELECT json_array(o.ts, o.ref, o.amount, o.currency) FROM ${p}occurrences o
         WHERE o.conv = c.id AND o.event = ce.event ORDER BY o.ts, o.ref LIMIT 1) AS first,
       (SELECT m.referral ->> '$.ctwa_clid' FROM messages m WHERE m.id = c.first_message_id) AS clid
  FROM ${p}conversations c
  JOIN ${p}sources s ON s.id = c.source AND s.kind = 'meta_ad'
  JOIN ${p}conv_events ce ON ce.conv = c.id
  JOIN ${p}events e ON e.id = ce.event
 WHERE e.key IN (SELECT event_key FROM capi_mappings) AND ${where}`;

export interface PlanResult {
  queued: number;
  withdrawn: number;
}

/**
 * Re-plans the ad conversations whose leads changed since the last plan (the engine logs them in
 * ad_lead_changes in the transaction that changed them) and empties the log. Off: the log is just emptied.
 */
export function planChanged(db: Db, nowS: number): PlanResult {
  return db
    .transaction(() => {
      const changed = db.prepare('SELECT conversation FROM ad_lead_changes').pluck().all() as string[];
      db.prepare('DELETE FROM ad_lead_changes').run();
      if (changed.length === 0 || !readCapiSettings(db).enabled) return { queued: 0, withdrawn: 0 };
      const p = activePrefix(db);
      const cands = db
        .prepare(candidateSql(p, 'c.first_message_id IN (SELECT value FROM json_each(?))'))
        .all(JSON.stringify(changed)) as Candidate[];
      return reconcile(db, changed, cands, nowS);
    })
    .immediate();
}

/**
 * Re-plans every ad conversation that can hold a sendable occurrence (started since sendFrom, less the
 * attribution window, which is how long after its start an external event can still be attributed to it):
 * when sending is turned on (the backfill), after a mapping change and after a rebuild.
 */
export function planWindow(db: Db, nowS: number): PlanResult {
  return db
    .transaction(() => {
      db.prepare('DELETE FROM ad_lead_changes').run();
      const s = readCapiSettings(db);
      if (!s.enabled || s.sendFrom === null) return { queued: 0, withdrawn: 0 };
      const from = Math.max(s.sendFrom, nowS - MAX_AGE_SECONDS);
      const since = from - readAttributionSettings(db).attributionWindowDays * 86_400;
      const p = activePrefix(db);
      const cands = db.prepare(candidateSql(p, 'c.start_ts >= ?')).all(since) as Candidate[];
      const convs = db
        .prepare(
          `SELECT conversation FROM capi_outbox WHERE state IN ('pending', 'failed')
         UNION SELECT conversation FROM capi_outbox WHERE state IN ('not_sendable', 'withdrawn') AND event_time >= ?`,
        )
        .pluck()
        .all(from) as string[];
      return reconcile(db, [...new Set([...convs, ...cands.map((c) => c.conversation)])], cands, nowS);
    })
    .immediate();
}

/** Withdraws unsent rows of conversion events no longer mapped so (sent rows stay as they are). */
export function withdrawUnmapped(db: Db, nowMs: number): number {
  const ids = db
    .prepare(
      `SELECT event_id FROM capi_outbox WHERE origin = 'local' AND state IN ('pending', 'failed', 'not_sendable')
          AND (event_key, meta_event) NOT IN (SELECT event_key, meta_event FROM capi_mappings)`,
    )
    .pluck()
    .all() as string[];
  let seq = nextSeq(db);
  const withdraw = db.prepare(
    `UPDATE capi_outbox SET state = 'withdrawn', reason = 'unmapped', error = NULL, updated_at = ?, seq = ? WHERE event_id = ?`,
  );
  for (const id of ids) withdraw.run(nowMs, seq++, id);
  return ids.length;
}

/**
 * Brings the outbox rows of `conversations` in line with `cands` (the candidates of exactly those
 * conversations): unsent rows that are no longer candidates are withdrawn first, so an occurrence that
 * moved frees its (occurrence, Meta name) slot before the conversation it moved to claims it.
 */
function reconcile(db: Db, conversations: string[], cands: Candidate[], nowS: number): PlanResult {
  const s = readCapiSettings(db);
  const mappings = new Map(readMappings(db).map((m) => [m.eventKey, m]));
  const nowMs = nowS * 1000;
  let seq = nextSeq(db);
  const wanted = new Map<string, { c: Candidate; metaEvent: string; withValue: boolean }>();
  for (const c of cands) {
    const m = mappings.get(c.event_key);
    if (m)
      wanted.set(outboxEventId(c.conversation, c.event_key, m.metaEvent), {
        c,
        metaEvent: m.metaEvent,
        withValue: m.withValue,
      });
  }
  const rowsOf = db.prepare('SELECT * FROM capi_outbox WHERE conversation = ?');
  const present = new Set(
    db
      .prepare(
        `SELECT c.first_message_id FROM ${activePrefix(db)}conversations c WHERE c.first_message_id IN (SELECT value FROM json_each(?))`,
      )
      .pluck()
      .all(JSON.stringify(conversations)) as string[],
  );
  const withdraw = db.prepare(
    `UPDATE capi_outbox SET state = 'withdrawn', reason = ?, error = NULL, updated_at = ?, seq = ? WHERE event_id = ?`,
  );
  let withdrawn = 0;
  for (const conv of conversations) {
    for (const r of rowsOf.all(conv) as OutboxRow[]) {
      if (r.origin !== 'local') continue;
      if (!FINAL_STATES.has(r.state) && r.state !== 'withdrawn' && !wanted.has(r.event_id)) {
        // Gone: the contact was erased (eraseOutboxContacts already dropped their click ids).
        withdraw.run(present.has(conv) ? 'moved' : 'erased', nowMs, seq++, r.event_id);
        withdrawn++;
      }
    }
  }

  const byId = db.prepare('SELECT * FROM capi_outbox WHERE event_id = ?');
  const slotTaken = db.prepare(
    `SELECT 1 FROM capi_outbox WHERE occurrence = ? AND meta_event = ? AND state <> 'withdrawn' AND event_id <> ?`,
  );
  const upsert = db.prepare(
    `INSERT INTO capi_outbox (event_id, conversation, phone_number_id, contact_id, source_key, event_key, meta_event,
        occurrence, event_time, ctwa_clid, value_micros, currency, state, reason, error, attempts, next_attempt_at,
        created_at, updated_at, seq)
     VALUES (@event_id, @conversation, @phone, @contact, @source_key, @event_key, @meta_event, @occurrence, @event_time,
        @clid, @value, @currency, @state, @reason, @error, 0, NULL, @now, @now, @seq)
     ON CONFLICT(event_id) DO UPDATE SET occurrence = excluded.occurrence, event_time = excluded.event_time,
        ctwa_clid = excluded.ctwa_clid, contact_id = excluded.contact_id, value_micros = excluded.value_micros,
        currency = excluded.currency, source_key = excluded.source_key,
        state = CASE WHEN capi_outbox.state = 'failed' AND excluded.state = 'pending' THEN 'failed' ELSE excluded.state END,
        reason = CASE WHEN capi_outbox.state = 'failed' AND excluded.state = 'pending' THEN capi_outbox.reason ELSE excluded.reason END,
        error = CASE WHEN capi_outbox.state = 'failed' AND excluded.state = 'pending' THEN capi_outbox.error ELSE excluded.error END,
        updated_at = excluded.updated_at, seq = excluded.seq`,
  );
  const wabas = new Map<string, string | null>();
  let queued = 0;
  for (const [eventId, { c, metaEvent, withValue }] of wanted) {
    const [ts, ref, amount, currency] = JSON.parse(c.first) as [number, string, number | null, string | null];
    if (s.sendFrom === null || ts < s.sendFrom) continue;
    const existing = byId.get(eventId) as OutboxRow | undefined;
    if (existing && (FINAL_STATES.has(existing.state) || existing.origin !== 'local')) continue;
    if (slotTaken.get(ref, metaEvent, eventId)) continue; // already queued or sent from another conversation
    let waba = wabas.get(c.phone);
    if (waba === undefined) {
      waba = wabaOf(db, c.phone);
      wabas.set(c.phone, waba);
    }
    const clid = typeof c.clid === 'string' && c.clid.trim() !== '' ? c.clid.trim() : null;
    const state = !clid || !waba ? 'not_sendable' : ts < nowS - MAX_AGE_SECONDS ? 'expired' : 'pending';
    const reason = !clid ? 'no_click_id' : !waba ? 'no_waba' : state === 'expired' ? 'too_old' : null;
    const unchanged =
      existing &&
      existing.state === (existing.state === 'failed' && state === 'pending' ? 'failed' : state) &&
      existing.occurrence === ref &&
      existing.event_time === ts &&
      existing.ctwa_clid === clid;
    if (unchanged) continue;
    upsert.run({
      event_id: eventId,
      conversation: c.conversation,
      phone: c.phone,
      contact: c.contact,
      source_key: c.source_key,
      event_key: c.event_key,
      meta_event: metaEvent,
      occurrence: ref,
      event_time: ts,
      clid,
      value: withValue && amount !== null ? amount : null,
      currency: withValue && amount !== null ? currency : null,
      state,
      reason,
      error: null,
      now: nowMs,
      seq: seq++,
    });
    if (!existing || existing.state === 'withdrawn') queued++;
  }
  return { queued, withdrawn };
}
