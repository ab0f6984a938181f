import type { Db } from '../db/open';
import { cachedStatement } from '../db/statements';
import { numbersNamed } from './business-numbers';
import type { Prefix } from './tables';

// The attribution decision of an external event (docs/metrics.md, "Attribution of external events"), in
// one place: the engine stores its `conv`, and "See why" (events.unattributed.*) explains a null from the
// same decision, so the explanation cannot disagree with what attribution did.

/** The fields of an external event the decision reads. */
export interface ExternalFacts {
  id: string;
  contact_id: string;
  ts: number;
  app_id: string | null;
  previous_external_event_id: string | null;
}

export type ExternalDecision =
  | { conv: number }
  | {
      conv: null;
      /** What became of previous_external_event_id: not found, a later event (not followed), found but unattributed too, or not given. */
      previous: 'not_found' | 'later' | 'unattributed' | null;
      /** The numbers app_id names (empty: an unknown app_id); null without app_id (any number). */
      phones: string[] | null;
      /** Start of the latest conversation at or before the event (outside the window), else null. */
      latestStart: number | null;
    };

interface Statements {
  conv: string;
  onPhone: string;
  anyPhone: string;
}
const sqlOf = new Map<Prefix, Statements>();
const statements = (p: Prefix): Statements => {
  let s = sqlOf.get(p);
  if (!s) {
    s = {
      conv: `SELECT conv FROM ${p}external WHERE event_id = ?`,
      onPhone: `SELECT id, start_ts FROM ${p}conversations WHERE phone = ? AND contact = ? AND start_ts <= ? ORDER BY start_ts DESC, first_message_id DESC LIMIT 1`,
      anyPhone: `SELECT id, start_ts FROM ${p}conversations WHERE contact = ? AND start_ts <= ? ORDER BY start_ts DESC, first_message_id DESC LIMIT 1`,
    };
    sqlOf.set(p, s);
  }
  return s;
};

/**
 * A resolvable previous_external_event_id takes the previous event's conversation; else the contact's
 * latest conversation that started at or before the event (on the numbers app_id names, when set),
 * provided the event is within `attributionSeconds` of its start.
 */
export function decideExternal(
  db: Db,
  p: Prefix,
  attributionSeconds: number,
  e: ExternalFacts,
): ExternalDecision {
  const sql = statements(p);
  let previous: 'not_found' | 'later' | 'unattributed' | null = null;
  if (e.previous_external_event_id) {
    const prev = cachedStatement(
      db,
      'SELECT id, ts FROM external_events WHERE id = ? UNION ALL SELECT id, ts FROM external_events WHERE event_id = ? LIMIT 1',
    ).get(e.previous_external_event_id, e.previous_external_event_id) as
      | { id: string; ts: number }
      | undefined;
    if (prev === undefined || prev.id === e.id) previous = 'not_found';
    // Only an earlier event (by time, then id) is followed: chains then never loop, so the result does not
    // depend on the order events arrive in (docs/metrics.md, "Conversion events").
    else if (prev.ts > e.ts || (prev.ts === e.ts && prev.id > e.id)) previous = 'later';
    else {
      const conv = cachedStatement(db, sql.conv).pluck().get(prev.id) as number | null | undefined;
      if (conv !== null && conv !== undefined) return { conv };
      previous = 'unattributed';
    }
  }
  let c: { id: number; start_ts: number } | undefined;
  let phones: string[] | null = null;
  if (e.app_id) {
    phones = numbersNamed(db, e.app_id).map((n) => n.id);
    for (const phone of phones) {
      const cand = cachedStatement(db, sql.onPhone).get(phone, e.contact_id, e.ts) as
        | { id: number; start_ts: number }
        | undefined;
      if (cand && (!c || cand.start_ts > c.start_ts)) c = cand;
    }
  } else {
    c = cachedStatement(db, sql.anyPhone).get(e.contact_id, e.ts) as
      | { id: number; start_ts: number }
      | undefined;
  }
  if (c && e.ts - c.start_ts <= attributionSeconds) return { conv: c.id };
  return { conv: null, previous, phones, latestStart: c?.start_ts ?? null };
}
