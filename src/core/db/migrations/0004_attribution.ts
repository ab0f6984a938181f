import type { Migration } from '../migrate';

// Attribution (docs/metrics.md): user data (keywords, source names, manual invested entries, engine state)
// and the first set of derived tables (see src/core/attribution/tables.ts for the two-set rebuild scheme).
// Frozen as shipped: the derived set below is the one this migration made then. Derived sets are a cache
// declared in src/core/attribution/derived-cache.ts since; a set of another shape is made again from it.
export const m0004: Migration = {
  id: 4,
  name: 'attribution',
  up: (db) => {
    db.exec(`
CREATE TABLE attr_state (
  key TEXT PRIMARY KEY,                  -- active (table set), config (applied derivation config), rebuild
  value TEXT NOT NULL
) STRICT;
CREATE TABLE attr_keywords (
  keyword TEXT PRIMARY KEY,              -- normalized
  added_at INTEGER NOT NULL
) STRICT;
CREATE TABLE attr_source_names (
  source_key TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
-- Manual Invested entries; a higher id is more recently saved and wins per day.
CREATE TABLE attr_investments (
  id INTEGER PRIMARY KEY,
  source_key TEXT NOT NULL,
  amount REAL NOT NULL,
  currency TEXT NOT NULL,
  from_date TEXT NOT NULL,
  to_date TEXT NOT NULL,
  saved_at INTEGER NOT NULL
) STRICT;
CREATE INDEX attr_investments_source ON attr_investments(source_key);
-- Threads and external events touched by live derivation while a rebuild runs: redone before the swap.
CREATE TABLE attr_rebuild_dirty (
  phone TEXT NOT NULL,
  contact TEXT NOT NULL,
  PRIMARY KEY (phone, contact)
) STRICT, WITHOUT ROWID;
CREATE TABLE attr_rebuild_dirty_events (event_id TEXT PRIMARY KEY) STRICT;
-- Invested sums an ad's spend over a range from whole months (attr_spend_month, kept by triggers on the
-- Meta helper's meta_spend) plus the days of partial months at the edges (covering index).
CREATE INDEX attr_meta_spend_ad ON meta_spend(ad_id, date, currency, spend, impressions, clicks, messaging_started);
CREATE TABLE attr_spend_month (
  ad_id TEXT NOT NULL,
  month TEXT NOT NULL,                   -- YYYY-MM
  currency TEXT NOT NULL,
  spend INTEGER NOT NULL,                -- millionths, so repeated re-syncs never drift
  impressions INTEGER NOT NULL,
  clicks INTEGER NOT NULL,
  started INTEGER NOT NULL,
  days INTEGER NOT NULL,
  PRIMARY KEY (ad_id, month, currency)
) STRICT, WITHOUT ROWID;
INSERT INTO attr_spend_month
  SELECT ad_id, substr(date, 1, 7), currency, SUM(CAST(ROUND(spend * 1000000) AS INTEGER)), SUM(COALESCE(impressions, 0)),
         SUM(COALESCE(clicks, 0)), SUM(COALESCE(messaging_started, 0)), COUNT(*)
  FROM meta_spend GROUP BY 1, 2, 3;
CREATE TRIGGER attr_meta_spend_ins AFTER INSERT ON meta_spend BEGIN
  INSERT INTO attr_spend_month VALUES (NEW.ad_id, substr(NEW.date, 1, 7), NEW.currency, CAST(ROUND(NEW.spend * 1000000) AS INTEGER),
    COALESCE(NEW.impressions, 0), COALESCE(NEW.clicks, 0), COALESCE(NEW.messaging_started, 0), 1)
  ON CONFLICT DO UPDATE SET spend = spend + excluded.spend, impressions = impressions + excluded.impressions,
    clicks = clicks + excluded.clicks, started = started + excluded.started, days = days + 1;
END;
CREATE TRIGGER attr_meta_spend_del AFTER DELETE ON meta_spend BEGIN
  UPDATE attr_spend_month SET spend = spend - CAST(ROUND(OLD.spend * 1000000) AS INTEGER),
    impressions = impressions - COALESCE(OLD.impressions, 0), clicks = clicks - COALESCE(OLD.clicks, 0),
    started = started - COALESCE(OLD.messaging_started, 0), days = days - 1
  WHERE ad_id = OLD.ad_id AND month = substr(OLD.date, 1, 7) AND currency = OLD.currency;
  DELETE FROM attr_spend_month WHERE ad_id = OLD.ad_id AND month = substr(OLD.date, 1, 7) AND currency = OLD.currency AND days = 0;
END;
CREATE TRIGGER attr_meta_spend_upd AFTER UPDATE ON meta_spend BEGIN
  UPDATE attr_spend_month SET spend = spend - CAST(ROUND(OLD.spend * 1000000) AS INTEGER),
    impressions = impressions - COALESCE(OLD.impressions, 0), clicks = clicks - COALESCE(OLD.clicks, 0),
    started = started - COALESCE(OLD.messaging_started, 0), days = days - 1
  WHERE ad_id = OLD.ad_id AND month = substr(OLD.date, 1, 7) AND currency = OLD.currency;
  DELETE FROM attr_spend_month WHERE ad_id = OLD.ad_id AND month = substr(OLD.date, 1, 7) AND currency = OLD.currency AND days = 0;
  INSERT INTO attr_spend_month VALUES (NEW.ad_id, substr(NEW.date, 1, 7), NEW.currency, CAST(ROUND(NEW.spend * 1000000) AS INTEGER),
    COALESCE(NEW.impressions, 0), COALESCE(NEW.clicks, 0), COALESCE(NEW.messaging_started, 0), 1)
  ON CONFLICT DO UPDATE SET spend = spend + excluded.spend, impressions = impressions + excluded.impressions,
    clicks = clicks + excluded.clicks, started = started + excluded.started, days = days + 1;
END;
CREATE INDEX attr_external_events_action_ts ON external_events(action, ts);
CREATE INDEX attr_external_events_ts ON external_events(ts);
CREATE INDEX attr_external_events_previous ON external_events(previous_external_event_id)
  WHERE previous_external_event_id IS NOT NULL;
INSERT INTO attr_state (key, value) VALUES ('active', '"attr_a_"');
`);
    db.exec(`CREATE TABLE attr_a_sources (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,              -- ad:<id>, tpl:<name>, reply:<…>, kw:<…>, text:<…>, type:<…>
  kind TEXT NOT NULL,
  name TEXT,                             -- derived name (referral headline / url); renames live in attr_source_names
  name_ts INTEGER,                       -- (ts, message id) of the message that gave the name: the earliest wins
  name_msg TEXT
) STRICT;
CREATE TABLE attr_a_events (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,              -- ext:<action>, button:<text>, list:<title>, text:<normalized>
  kind TEXT NOT NULL,
  label TEXT NOT NULL
) STRICT;
CREATE TABLE attr_a_conversations (
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
CREATE UNIQUE INDEX attr_a_conv_first ON attr_a_conversations(first_message_id);
CREATE INDEX attr_a_conv_thread ON attr_a_conversations(phone, contact, start_ts);
CREATE INDEX attr_a_conv_contact ON attr_a_conversations(contact, start_ts);
CREATE INDEX attr_a_conv_day ON attr_a_conversations(phone, day, source, contact);
CREATE INDEX attr_a_conv_src ON attr_a_conversations(phone, source, day);
CREATE INDEX attr_a_conv_ts ON attr_a_conversations(phone, start_ts);
-- Every occurrence of an event in a conversation (messaging events at each matching message, attributed
-- external events). amount in millionths of the currency unit, so sums are exact in any feeding order.
CREATE TABLE attr_a_occurrences (
  conv INTEGER NOT NULL,
  event INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  ref TEXT NOT NULL,                     -- message id or external event id
  amount INTEGER,
  currency TEXT,
  PRIMARY KEY (conv, event, ts, ref)
) STRICT, WITHOUT ROWID;
-- One row per (conversation, event): the conversation is a lead for that event.
CREATE TABLE attr_a_conv_events (
  conv INTEGER NOT NULL,
  event INTEGER NOT NULL,
  phone TEXT NOT NULL,
  day INTEGER NOT NULL,
  source INTEGER NOT NULL,
  first_delay INTEGER,                   -- seconds from start to the earliest occurrence at or after start
  occurrences INTEGER NOT NULL,
  PRIMARY KEY (conv, event)
) STRICT, WITHOUT ROWID;
CREATE INDEX attr_a_ce_event ON attr_a_conv_events(phone, event, day, first_delay);
-- Attribution of every stored external event (conv NULL: unattributed).
CREATE TABLE attr_a_external (
  event_id TEXT PRIMARY KEY,
  conv INTEGER
) STRICT;
CREATE INDEX attr_a_external_conv ON attr_a_external(conv) WHERE conv IS NOT NULL;
CREATE INDEX attr_a_external_unattributed ON attr_a_external(event_id) WHERE conv IS NULL;
-- Summaries, maintained with every change. prev_day makes distinct contacts a plain sum:
-- contacts in [from, to] = conversations in [from, to] whose previous one (same key) is before from.
CREATE TABLE attr_a_sum_day (
  phone TEXT NOT NULL, day INTEGER NOT NULL, prev_day INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (phone, day, prev_day)
) STRICT, WITHOUT ROWID;
CREATE TABLE attr_a_sum_src (
  phone TEXT NOT NULL, day INTEGER NOT NULL, source INTEGER NOT NULL, prev_day INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (phone, day, source, prev_day)
) STRICT, WITHOUT ROWID;
CREATE TABLE attr_a_sum_event (
  phone TEXT NOT NULL, event INTEGER NOT NULL, day INTEGER NOT NULL, source INTEGER NOT NULL,
  leads INTEGER NOT NULL, occ INTEGER NOT NULL,
  PRIMARY KEY (phone, event, day, source)
) STRICT, WITHOUT ROWID;
CREATE TABLE attr_a_sum_day_event (
  phone TEXT NOT NULL, event INTEGER NOT NULL, day INTEGER NOT NULL, leads INTEGER NOT NULL, occ INTEGER NOT NULL,
  PRIMARY KEY (phone, event, day)
) STRICT, WITHOUT ROWID;
CREATE INDEX attr_a_sum_day_event_day ON attr_a_sum_day_event(phone, day, event);
CREATE TABLE attr_a_sum_rev (
  phone TEXT NOT NULL, event INTEGER NOT NULL, day INTEGER NOT NULL, source INTEGER NOT NULL, currency TEXT NOT NULL,
  amount INTEGER NOT NULL,
  PRIMARY KEY (phone, event, day, source, currency)
) STRICT, WITHOUT ROWID;
DROP VIEW IF EXISTS attr_conversations; DROP VIEW IF EXISTS attr_sources;
CREATE VIEW attr_conversations AS SELECT * FROM attr_a_conversations;
CREATE VIEW attr_sources AS SELECT * FROM attr_a_sources;
`);
  },
};
