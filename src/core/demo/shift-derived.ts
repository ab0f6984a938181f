import { appliedConfig, setState } from '../attribution/config';
import { engineFor } from '../attribution/derive';
import type { BLOCKS } from '../attribution/derived-cache';
import {
  activePrefix,
  blockFillSql,
  blockTriggersDdl,
  createViews,
  type DERIVED_TABLES,
  derivedIndexesDdl,
  derivedTablesDdl,
  dropDerived,
  otherPrefix,
} from '../attribution/tables';
import type { Db } from '../db/open';

// Re-dating moves every time by whole calendar days with its wall-clock time kept, so each derived row
// moves as its raw rows did: local days by `days`, timestamps by the same move (SQL function demo_shift,
// registered by the caller). Copying the derived tables with those columns moved is far cheaper than
// deriving them again; the ordinary swap of table sets (tables.ts) makes the copy the live set.

type DerivedTable = (typeof DERIVED_TABLES)[number];

/** The copied columns of each table, in its column order; the tables kept by triggers are filled (blockFillSql). */
function columns(
  days: number,
): Record<Exclude<DerivedTable, keyof typeof BLOCKS | 'multi_contacts'>, string> {
  const day = (c: string) => `${c} + ${days}`;
  // -1: no previous conversation.
  const prev = (c: string) => `CASE WHEN ${c} < 0 THEN ${c} ELSE ${c} + ${days} END`;
  const ts = (c: string) => `demo_shift(${c})`;
  const sourceKeyed = {
    sum_src: `phone, ${day('day')}, source, ${prev('prev_day')}, n`,
    src_all: '*',
    src_prev: `phone, ${prev('prev_day')}, source, n`,
    sum_event: `phone, event, ${day('day')}, source, leads, occ`,
    event_all: '*',
    sum_rev: `phone, event, ${day('day')}, source, currency, amount`,
    rev_all: '*',
  };
  // Each attribution model's summaries have the same columns as the conversation model's.
  const ofModel = <M extends string>(m: M) =>
    Object.fromEntries(Object.entries(sourceKeyed).map(([t, c]) => [`${m}_${t}`, c])) as Record<
      `${M}_${keyof typeof sourceKeyed}`,
      string
    >;
  return {
    ...sourceKeyed,
    ...ofModel('ft'),
    ...ofModel('lpt'),
    sources: `id, key, kind, name, ${ts('name_ts')}, name_msg`,
    events: '*',
    conversations: `id, phone, contact, ${ts('start_ts')}, first_message_id, ${ts('last_ts')}, last_message_id,
      messages, source, ${day('day')}, ${prev('prev_day')}, ${prev('prev_src_day')},
      ft_source, ${prev('ft_prev_day')}, lpt_source, ${prev('lpt_prev_day')}`,
    occurrences: `conv, event, ${ts('ts')}, ref, amount, currency`,
    conv_events: `conv, event, phone, ${day('day')}, source, first_delay, occurrences`,
    external: `event_id, conv, ${ts('ts')}, action, app_id`,
    sum_day: `phone, ${day('day')}, ${prev('prev_day')}, n`,
    sum_day_event: `phone, event, ${day('day')}, leads, occ`,
    day_n: `phone, ${day('day')}, n`,
    day_prev: `phone, ${prev('prev_day')}, n`,
    day_rev: `phone, event, ${day('day')}, currency, amount`,
  };
}

/**
 * Copies the live derived set into the other set with every time moved, and makes it live. Call it in
 * the transaction that moves the raw rows. A delay that spans a daylight-saving change in the moved data
 * is recomputed from the moved times (conv_events.first_delay).
 */
export function shiftDerived(db: Db, days: number): void {
  const from = activePrefix(db);
  const to = otherPrefix(from);
  dropDerived(db, to);
  db.exec(derivedTablesDdl(to));
  for (const [table, cols] of Object.entries(columns(days))) {
    if (table === 'conv_events') continue;
    db.exec(`INSERT INTO ${to}${table} SELECT ${cols} FROM ${from}${table}`);
  }
  db.exec(`INSERT INTO ${to}conv_events
    SELECT e.conv, e.event, e.phone, e.day + ${days}, e.source,
      CASE WHEN e.first_delay IS NULL THEN NULL
        ELSE demo_shift(c.start_ts + e.first_delay) - demo_shift(c.start_ts) END, e.occurrences
    FROM ${from}conv_events e JOIN ${from}conversations c ON c.id = e.conv`);
  for (const sql of blockFillSql(to)) db.exec(sql);
  db.exec(derivedIndexesDdl(to));
  db.exec(blockTriggersDdl(to));
  setState(db, 'active', to);
  createViews(db, to);
  dropDerived(db, from);
}

/**
 * Deletes raw rows after `now` (what moving the data put in the future) and re-derives what they touched
 * the way live ingestion does when rows go (the contact's thread, the external events' attribution).
 */
export function dropFuture(db: Db, now: number): void {
  const threads = db
    .prepare('SELECT DISTINCT phone_number_id AS phone, contact_id AS contact FROM messages WHERE ts > ?')
    .all(now) as { phone: string; contact: string }[];
  const events = db.prepare('SELECT id FROM external_events WHERE ts > ?').pluck().all(now) as string[];
  db.prepare('DELETE FROM statuses WHERE ts > ?').run(now);
  db.prepare('DELETE FROM messages WHERE ts > ?').run(now);
  db.prepare('DELETE FROM outgoing_messages WHERE sent_at > ?').run(now);
  db.prepare('DELETE FROM external_events WHERE ts > ?').run(now);
  const engine = engineFor(db, activePrefix(db), appliedConfig(db));
  for (const t of threads) engine.rederiveThread(t.phone, t.contact);
  for (const id of events) engine.queueExternal(id);
  engine.flush();
}
