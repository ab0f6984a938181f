import type { Migration } from '../migrate';

// Ingestion's own tables: webhook channels, API keys of the external-events endpoint, and the
// payload↔contact links that let `erase` find every raw payload mentioning a contact.
export const m0003: Migration = {
  id: 3,
  name: 'ingest',
  up: `
-- One row per 360dialog channel (phone number) whose webhooks this workspace receives.
-- The secret itself lives in the SecretStore; only its sha256 is here, to check the Bearer header.
CREATE TABLE channels (
  phone_number_id TEXT PRIMARY KEY,
  name TEXT,
  secret_hash BLOB NOT NULL,
  has_api_key INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL            -- unix ms
) STRICT;

-- Keys of POST /clients/{client_id}/external-events (sent as api_key in the body), stored hashed.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT,
  key_hash BLOB NOT NULL UNIQUE,
  prefix TEXT NOT NULL,                  -- first characters, so people can tell keys apart
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
) STRICT;

-- Which contacts a raw payload mentions (erase rewrites or deletes those payloads).
CREATE TABLE raw_payload_contacts (
  contact_id TEXT NOT NULL,
  raw_payload_id INTEGER NOT NULL,
  PRIMARY KEY (contact_id, raw_payload_id)
) STRICT, WITHOUT ROWID;
`,
};
