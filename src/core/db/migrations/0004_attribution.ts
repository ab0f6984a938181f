import { createViews, derivedDdl } from '../../attribution/tables';
import type { Migration } from '../migrate';

// Attribution (docs/metrics.md): user data (keywords, source names, manual invested entries, engine state)
// and the first set of derived tables (see src/core/attribution/tables.ts for the two-set rebuild scheme).
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
    db.exec(derivedDdl('attr_a_'));
    createViews(db, 'attr_a_');
  },
};
