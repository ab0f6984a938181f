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
