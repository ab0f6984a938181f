import type { Migration } from '../migrate';

// 360dialog message templates (they name `reply:` sources and the send proxy's outgoing buttons) and
// the collector: read tokens on the serving side, the pull state on the desktop side.
// See ../shared/reference/whatsapp-360dialog.md §3.
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
`,
};
