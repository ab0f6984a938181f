import type { Db } from '../db/open';
import { cachedStatement } from '../db/statements';

// Derived data lives in one of two table sets, attr_a_* or attr_b_*. A rebuild fills the inactive set
// while reports keep reading the active one, then one transaction flips attr_state 'active' and drops the
// old set, so the old result stays readable until the new one is complete.

export type Prefix = 'attr_a_' | 'attr_b_';
export const PREFIXES: readonly Prefix[] = ['attr_a_', 'attr_b_'];

/** The derived tables, their indexes and the triggers that keep block summaries: one table set. */
export function derivedDdl(p: Prefix): string {
  return `${derivedTablesDdl(p)}\n${derivedIndexesDdl(p)}\n${blockTriggersDdl(p)}`;
}

/**
 * The tables alone: a rebuild loads them first and adds indexes and triggers afterwards (building an
 * index from loaded rows is far cheaper than keeping it through a million inserts).
 */
export function derivedTablesDdl(p: Prefix): string {
  return `
CREATE TABLE ${p}sources (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,              -- ad:<id>, tpl:<name>, reply:<…>, kw:<…>, text:<…>, type:<…>
  kind TEXT NOT NULL,
  name TEXT,                             -- derived name (referral headline / url); renames live in attr_source_names
  name_ts INTEGER,                       -- (ts, message id) of the message that gave the name: the earliest wins
  name_msg TEXT
) STRICT;
CREATE TABLE ${p}events (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,              -- ext:<action>, button:<text>, list:<title>, text:<normalized>
  kind TEXT NOT NULL,
  label TEXT NOT NULL
) STRICT;
CREATE TABLE ${p}conversations (
  id INTEGER PRIMARY KEY,
  phone TEXT NOT NULL,
  contact TEXT NOT NULL,
  start_ts INTEGER NOT NULL,
  first_message_id TEXT NOT NULL,
  last_ts INTEGER NOT NULL,              -- last counting message, for the window of the next one
  last_message_id TEXT NOT NULL,
  messages INTEGER NOT NULL,
  source INTEGER NOT NULL,
  day INTEGER NOT NULL,                  -- local day of start in the applied timezone
  prev_day INTEGER NOT NULL,             -- day of the contact's previous conversation on this number, -1 when none
  prev_src_day INTEGER NOT NULL          -- same, among conversations of the same source
) STRICT;
-- Every occurrence of an event in a conversation (messaging events at each matching message, attributed
-- external events). amount in millionths of the currency unit, so sums are exact in any feeding order.
CREATE TABLE ${p}occurrences (
  conv INTEGER NOT NULL,
  event INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  ref TEXT NOT NULL,                     -- message id or external event id
  amount INTEGER,
  currency TEXT,
  PRIMARY KEY (conv, event, ts, ref)
) STRICT, WITHOUT ROWID;
-- One row per (conversation, event): the conversation is a lead for that event.
CREATE TABLE ${p}conv_events (
  conv INTEGER NOT NULL,
  event INTEGER NOT NULL,
  phone TEXT NOT NULL,
  day INTEGER NOT NULL,
  source INTEGER NOT NULL,
  first_delay INTEGER,                   -- seconds from start to the earliest occurrence at or after start
  occurrences INTEGER NOT NULL,
  PRIMARY KEY (conv, event)
) STRICT, WITHOUT ROWID;
-- Attribution of every stored external event (conv NULL: unattributed).
CREATE TABLE ${p}external (
  event_id TEXT PRIMARY KEY,
  conv INTEGER,
  ts INTEGER NOT NULL,                   -- copied from external_events so unattributed counts need no join
  action TEXT NOT NULL,                  -- trimmed
  app_id TEXT
) STRICT;
-- Summaries, maintained with every change. prev_day makes distinct contacts a plain sum:
-- contacts in [from, to] = conversations in [from, to] whose previous one (same key) is before from.
CREATE TABLE ${p}sum_day (
  phone TEXT NOT NULL, day INTEGER NOT NULL, prev_day INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (phone, day, prev_day)
) STRICT, WITHOUT ROWID;
CREATE TABLE ${p}sum_src (
  phone TEXT NOT NULL, day INTEGER NOT NULL, source INTEGER NOT NULL, prev_day INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (phone, day, source, prev_day)
) STRICT, WITHOUT ROWID;
CREATE TABLE ${p}sum_event (
  phone TEXT NOT NULL, event INTEGER NOT NULL, day INTEGER NOT NULL, source INTEGER NOT NULL,
  leads INTEGER NOT NULL, occ INTEGER NOT NULL,
  PRIMARY KEY (phone, event, day, source)
) STRICT, WITHOUT ROWID;
CREATE TABLE ${p}sum_day_event (
  phone TEXT NOT NULL, event INTEGER NOT NULL, day INTEGER NOT NULL, leads INTEGER NOT NULL, occ INTEGER NOT NULL,
  PRIMARY KEY (phone, event, day)
) STRICT, WITHOUT ROWID;
CREATE TABLE ${p}sum_rev (
  phone TEXT NOT NULL, event INTEGER NOT NULL, day INTEGER NOT NULL, source INTEGER NOT NULL, currency TEXT NOT NULL,
  amount INTEGER NOT NULL,
  PRIMARY KEY (phone, event, day, source, currency)
) STRICT, WITHOUT ROWID;
-- For ranges that run to the newest data (every preset) the summary path counts the complement
-- (days before 'from') and subtracts it from all-time figures: few rows for long ranges.
CREATE TABLE ${p}day_n (
  phone TEXT NOT NULL, day INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (phone, day)
) STRICT, WITHOUT ROWID;
CREATE TABLE ${p}day_prev (
  phone TEXT NOT NULL, prev_day INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (phone, prev_day)
) STRICT, WITHOUT ROWID;
CREATE TABLE ${p}src_all (
  phone TEXT NOT NULL, source INTEGER NOT NULL, n INTEGER NOT NULL, rep INTEGER NOT NULL, PRIMARY KEY (phone, source)
) STRICT, WITHOUT ROWID;
CREATE TABLE ${p}src_prev (
  phone TEXT NOT NULL, prev_day INTEGER NOT NULL, source INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (phone, prev_day, source)
) STRICT, WITHOUT ROWID;
CREATE TABLE ${p}event_all (
  phone TEXT NOT NULL, event INTEGER NOT NULL, source INTEGER NOT NULL, leads INTEGER NOT NULL, occ INTEGER NOT NULL,
  PRIMARY KEY (phone, event, source)
) STRICT, WITHOUT ROWID;
CREATE TABLE ${p}rev_all (
  phone TEXT NOT NULL, event INTEGER NOT NULL, source INTEGER NOT NULL, currency TEXT NOT NULL, amount INTEGER NOT NULL,
  PRIMARY KEY (phone, event, source, currency)
) STRICT, WITHOUT ROWID;
CREATE TABLE ${p}day_rev (
  phone TEXT NOT NULL, event INTEGER NOT NULL, day INTEGER NOT NULL, currency TEXT NOT NULL, amount INTEGER NOT NULL,
  PRIMARY KEY (phone, event, day, currency)
) STRICT, WITHOUT ROWID;
${blockTablesDdl(p)}`;
}

/** Day numbers per block of each level: 7-day and 28-day blocks, aligned so that four weeks make a block. */
export const WEEK_DAYS = 7;
export const BLOCK_DAYS = 28;

/**
 * Conversations per source over 7- and 28-day blocks, kept from sum_src by triggers: a 30-day range reads
 * four weeks and a few edge days instead of 30 days of (day, source) rows. Contacts per source come from
 * repeats (conversations whose previous one of the same contact and source is in the range), indexed apart.
 */
const BLOCK_LEVELS = [
  ['sum_src_w', WEEK_DAYS],
  ['sum_src_m', BLOCK_DAYS],
] as const;

function blockTablesDdl(p: Prefix): string {
  return BLOCK_LEVELS.map(
    ([table]) => `
CREATE TABLE ${p}${table} (
  phone TEXT NOT NULL, block INTEGER NOT NULL, source INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (phone, block, source)
) STRICT, WITHOUT ROWID;`,
  ).join('\n');
}

/** Keep the block summaries from sum_src. */
export function blockTriggersDdl(p: Prefix): string {
  return BLOCK_LEVELS.map(
    ([table, days]) => `
CREATE TRIGGER ${p}${table}_ins AFTER INSERT ON ${p}sum_src BEGIN
  INSERT INTO ${p}${table} VALUES (NEW.phone, NEW.day / ${days}, NEW.source, NEW.n)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER ${p}${table}_upd AFTER UPDATE OF n ON ${p}sum_src BEGIN
  UPDATE ${p}${table} SET n = n + NEW.n - OLD.n WHERE phone = NEW.phone AND block = NEW.day / ${days} AND source = NEW.source;
  DELETE FROM ${p}${table} WHERE phone = NEW.phone AND block = NEW.day / ${days} AND source = NEW.source AND n = 0;
END;
CREATE TRIGGER ${p}${table}_del AFTER DELETE ON ${p}sum_src BEGIN
  UPDATE ${p}${table} SET n = n - OLD.n WHERE phone = OLD.phone AND block = OLD.day / ${days} AND source = OLD.source;
  DELETE FROM ${p}${table} WHERE phone = OLD.phone AND block = OLD.day / ${days} AND source = OLD.source AND n = 0;
END;`,
  ).join('\n');
}

const conversationIndexes = (p: Prefix) => `
CREATE UNIQUE INDEX ${p}conv_first ON ${p}conversations(first_message_id);
CREATE INDEX ${p}conv_thread ON ${p}conversations(phone, contact, start_ts);
CREATE INDEX ${p}conv_contact ON ${p}conversations(contact, start_ts);
CREATE INDEX ${p}conv_day ON ${p}conversations(phone, day, source, contact);
CREATE INDEX ${p}conv_src ON ${p}conversations(phone, source, day);
CREATE INDEX ${p}conv_ts ON ${p}conversations(phone, start_ts);`;

// Repeats per source are read from their own small index; a range's ad sources are found by kind (a
// workspace has a few ads and can have 100,000s of first texts).
const blockIndexes = (p: Prefix) => `
CREATE INDEX ${p}conv_rep ON ${p}conversations(phone, prev_src_day, day, source) WHERE prev_src_day >= 0;
CREATE INDEX ${p}sources_kind ON ${p}sources(kind);`;

/** Secondary indexes of a table set (the tables' keys and UNIQUE columns are part of their DDL). */
export function derivedIndexesDdl(p: Prefix): string {
  return `${conversationIndexes(p)}
CREATE INDEX ${p}ce_event ON ${p}conv_events(phone, event, day, first_delay);
CREATE INDEX ${p}external_conv ON ${p}external(conv) WHERE conv IS NOT NULL;
CREATE INDEX ${p}external_unattributed ON ${p}external(ts, action) WHERE conv IS NULL;
CREATE INDEX ${p}sum_day_event_day ON ${p}sum_day_event(phone, day, event);${blockIndexes(p)}`;
}

/** What migration 0007 added to a table set derived before it: block tables, their triggers, two indexes. */
function blockSummaryDdl(p: Prefix): string {
  return `${blockTablesDdl(p)}\n${blockTriggersDdl(p)}\n${blockIndexes(p)}`;
}

/** Adds the block summaries to a table set derived before they existed (migration 0007), filled from sum_src. */
export function addBlockSummaries(db: Db, p: Prefix): void {
  db.exec(blockSummaryDdl(p));
  for (const sql of blockFillSql(p)) db.exec(sql);
}

/** Fill empty block summaries from sum_src (before the block triggers exist, or rows count twice). */
export function blockFillSql(p: Prefix): string[] {
  return BLOCK_LEVELS.map(
    ([table, days]) =>
      `INSERT INTO ${p}${table} SELECT phone, day / ${days}, source, SUM(n) FROM ${p}sum_src GROUP BY 1, 2, 3 HAVING SUM(n) <> 0`,
  );
}

export const DERIVED_TABLES = [
  'sources',
  'events',
  'conversations',
  'occurrences',
  'conv_events',
  'external',
  'sum_day',
  'sum_src',
  'sum_event',
  'sum_day_event',
  'sum_rev',
  'day_n',
  'day_prev',
  'src_all',
  'src_prev',
  'event_all',
  'rev_all',
  'day_rev',
  'sum_src_w',
  'sum_src_m',
] as const;

export function tableExists(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** The table set reports read and live derivation writes. */
export function activePrefix(db: Db): Prefix {
  const row = cachedStatement(db, "SELECT value FROM attr_state WHERE key = 'active'").pluck().get() as
    | string
    | undefined;
  if (row) return JSON.parse(row) as Prefix;
  return tableExists(db, 'attr_a_conversations') ? 'attr_a_' : 'attr_b_';
}

export function otherPrefix(p: Prefix): Prefix {
  return p === 'attr_a_' ? 'attr_b_' : 'attr_a_';
}

export function dropDerived(db: Db, p: Prefix): void {
  for (const t of DERIVED_TABLES) db.exec(`DROP TABLE IF EXISTS ${p}${t}`);
}

/** Views under stable names, for other areas (export, support tools) that read conversations and sources. */
export function createViews(db: Db, p: Prefix): void {
  db.exec(`DROP VIEW IF EXISTS attr_conversations; DROP VIEW IF EXISTS attr_sources;
CREATE VIEW attr_conversations AS SELECT * FROM ${p}conversations;
CREATE VIEW attr_sources AS SELECT * FROM ${p}sources;`);
}
