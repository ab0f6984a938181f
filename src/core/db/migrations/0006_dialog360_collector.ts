import type { Migration } from '../migrate';

// 360dialog message templates (they name `reply:` sources and the send proxy's outgoing buttons) and
// the collector: read tokens on the serving side, the pull state on the desktop side.
// Webhook delivery and configuration: https://docs.360dialog.com/docs/messaging-api/api-reference/webhooks.
export const m0006: Migration = {
  id: 6,
  name: 'dialog360_collector',
  up: `
-- One row per template name and language, as 360dialog's GET /v1/configs/templates returns it.
CREATE TABLE templates (
  phone_number_id TEXT NOT NULL,         -- the channel whose API key fetched it (templates live per WABA)
  name TEXT NOT NULL,
  language TEXT NOT NULL,
  status TEXT,
  category TEXT,
  components TEXT NOT NULL,              -- JSON as delivered
  synced_at INTEGER NOT NULL,            -- unix ms
  PRIMARY KEY (phone_number_id, name, language)
) STRICT;

-- Every button of every template, flattened so a reply's button text finds its template by index.
CREATE TABLE template_buttons (
  phone_number_id TEXT NOT NULL,
  template_name TEXT NOT NULL,
  language TEXT NOT NULL,
  idx INTEGER NOT NULL,                  -- position inside the BUTTONS component (the send body's "index")
  type TEXT NOT NULL,                    -- QUICK_REPLY | URL | PHONE_NUMBER | COPY_CODE | FLOW | …
  text TEXT NOT NULL,
  PRIMARY KEY (phone_number_id, template_name, language, idx),
  FOREIGN KEY (phone_number_id, template_name, language)
    REFERENCES templates(phone_number_id, name, language) ON DELETE CASCADE
) STRICT;
CREATE INDEX template_buttons_text ON template_buttons(phone_number_id, text);

-- Collector side: read tokens for GET /v1/sync, stored as sha256 (the token is shown once).
CREATE TABLE collector_tokens (
  id TEXT PRIMARY KEY,
  name TEXT,
  hash BLOB NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,           -- unix ms
  last_used_at INTEGER,
  revoked_at INTEGER
) STRICT;

-- Desktop side: where to pull from and how far it got. One row; the token itself is in the SecretStore.
-- The cursor advances in the same transaction as the batch it covers, so an interrupted sync resumes.
CREATE TABLE collector_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  url TEXT NOT NULL,
  interval_minutes INTEGER NOT NULL,
  cursor TEXT,
  last_synced_at INTEGER,                -- unix ms of the last complete sync
  last_attempt_at INTEGER,
  last_error TEXT,
  online INTEGER NOT NULL DEFAULT 0,
  received_payloads INTEGER NOT NULL DEFAULT 0,
  received_events INTEGER NOT NULL DEFAULT 0,
  received_outgoing INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Collector feed: desktops walk raw_payloads, external_events and outgoing_messages by rowid. SQLite
-- reuses rowids above the remaining maximum after the newest rows are deleted (erase), so a new row
-- could land behind a desktop's cursor. Deletes record the highest rowid freed; a later insert at or
-- below it is logged in sync_reissued and served again. Inserts pay one primary-key lookup.
CREATE TABLE sync_high_water (
  kind TEXT PRIMARY KEY,                 -- p: raw_payloads, e: external_events, o: outgoing_messages
  high INTEGER NOT NULL
) STRICT;
CREATE TABLE sync_reissued (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  row INTEGER NOT NULL
) STRICT;
CREATE TRIGGER raw_payloads_sync_deleted AFTER DELETE ON raw_payloads BEGIN
  INSERT INTO sync_high_water (kind, high) VALUES ('p', OLD.id)
    ON CONFLICT (kind) DO UPDATE SET high = max(high, excluded.high);
END;
CREATE TRIGGER raw_payloads_sync_reissued AFTER INSERT ON raw_payloads
  WHEN NEW.id <= (SELECT high FROM sync_high_water WHERE kind = 'p')
BEGIN
  INSERT INTO sync_reissued (kind, row) VALUES ('p', NEW.id);
END;
CREATE TRIGGER external_events_sync_deleted AFTER DELETE ON external_events BEGIN
  INSERT INTO sync_high_water (kind, high) VALUES ('e', OLD.rowid)
    ON CONFLICT (kind) DO UPDATE SET high = max(high, excluded.high);
END;
CREATE TRIGGER external_events_sync_reissued AFTER INSERT ON external_events
  WHEN NEW.rowid <= (SELECT high FROM sync_high_water WHERE kind = 'e')
BEGIN
  INSERT INTO sync_reissued (kind, row) VALUES ('e', NEW.rowid);
END;
CREATE TRIGGER outgoing_messages_sync_deleted AFTER DELETE ON outgoing_messages BEGIN
  INSERT INTO sync_high_water (kind, high) VALUES ('o', OLD.rowid)
    ON CONFLICT (kind) DO UPDATE SET high = max(high, excluded.high);
END;
CREATE TRIGGER outgoing_messages_sync_reissued AFTER INSERT ON outgoing_messages
  WHEN NEW.rowid <= (SELECT high FROM sync_high_water WHERE kind = 'o')
BEGIN
  INSERT INTO sync_reissued (kind, row) VALUES ('o', NEW.rowid);
END;
`,
};
