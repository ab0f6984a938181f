import type { PgMigration } from '../migrate';

// The collector's store on PostgreSQL: what the receivers and the /v1/sync feed need, nothing derived
// (desktops derive from the feed with the same ingestion path as for a SQLite collector). Every row carries
// its workspace. Frozen as shipped: never edit, add the next number (its checksum is recorded).
//
// Feed rows (raw_payloads, external_events, outgoing_messages, erasures) carry `xid`, the id of the
// transaction that wrote them (pg_current_xact_id(), xid8:
// https://www.postgresql.org/docs/current/functions-info.html#FUNCTIONS-PG-SNAPSHOT), and `seq` from a
// sequence; the feed walks them in (xid, seq) order (src/core/pg/feed.ts explains why that never skips).
// Duplicates are absorbed by the unique constraints with INSERT … ON CONFLICT DO NOTHING
// (https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT).
export const p0001: PgMigration = {
  id: 1,
  name: 'collector',
  up: `
CREATE TABLE channels (
  phone_number_id text PRIMARY KEY,          -- a channel lives in one workspace, as in a SQLite data folder
  workspace text NOT NULL,
  name text,
  secret_hash bytea NOT NULL,                -- sha256 of the channel secret; the secret is never stored here
  has_api_key boolean NOT NULL DEFAULT false, -- the 360dialog API key itself stays in each process's secret store
  created_at bigint NOT NULL                 -- unix ms
);

CREATE TABLE api_keys (
  id text PRIMARY KEY,
  workspace text NOT NULL,
  name text,
  key_hash bytea NOT NULL UNIQUE,            -- sha256 of the external-events api_key
  prefix text NOT NULL,
  created_at bigint NOT NULL,
  last_used_at bigint,
  revoked_at bigint
);

CREATE TABLE read_tokens (
  id text PRIMARY KEY,
  workspace text NOT NULL,
  name text,
  hash bytea NOT NULL UNIQUE,                -- sha256 of the read token (ict1.<workspace>.<secret>)
  created_at bigint NOT NULL,
  last_used_at bigint,
  revoked_at bigint
);

CREATE TABLE settings (
  workspace text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,                       -- JSON, as in the SQLite settings table
  PRIMARY KEY (workspace, key)
);

CREATE TABLE raw_payloads (
  seq bigserial PRIMARY KEY,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  workspace text NOT NULL,
  sha256 bytea NOT NULL,                     -- of the canonical body: one row per body, as in SQLite
  received_at bigint NOT NULL,
  origin text NOT NULL,
  format text,
  channel text,
  body bytea,                                -- canonical JSON, deflated (zlib); NULL once retention removed it
  size integer NOT NULL,
  UNIQUE (workspace, sha256)
);
CREATE INDEX raw_payloads_feed ON raw_payloads (workspace, xid, seq);

-- Which contacts a payload names (wa_id digits, or bsuid:<user id>): what an erase must find.
CREATE TABLE payload_contacts (
  workspace text NOT NULL,
  contact_id text NOT NULL,
  payload_seq bigint NOT NULL REFERENCES raw_payloads (seq) ON DELETE CASCADE,
  PRIMARY KEY (workspace, contact_id, payload_seq)
);
CREATE INDEX payload_contacts_payload ON payload_contacts (payload_seq);

CREATE TABLE external_events (
  seq bigserial PRIMARY KEY,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  workspace text NOT NULL,
  id text NOT NULL,                          -- our external_event_id (ee_…)
  event_id text,                             -- the sender's event_id or Idempotency-Key: stored once
  client_id text,
  action text NOT NULL,
  contact_id text NOT NULL,
  ts bigint NOT NULL,
  revenue_amount double precision,
  revenue_currency text,
  app_id text,
  previous_external_event_id text,
  received_at bigint NOT NULL,
  origin text NOT NULL,
  UNIQUE (workspace, id),
  UNIQUE (workspace, event_id)               -- NULLs are distinct: events without an id are never merged
);
CREATE INDEX external_events_feed ON external_events (workspace, xid, seq);

CREATE TABLE outgoing_messages (
  seq bigserial PRIMARY KEY,                 -- renewed with xid when the row changes: it is served again
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  workspace text NOT NULL,
  id text NOT NULL,                          -- the message id 360dialog answered (wamid…)
  phone_number_id text,
  contact_id text,
  template_name text,
  sent_at bigint,
  buttons text NOT NULL DEFAULT '[]',
  origin text NOT NULL,
  UNIQUE (workspace, id)
);
CREATE INDEX outgoing_messages_feed ON outgoing_messages (workspace, xid, seq);

CREATE TABLE erasures (
  seq bigserial PRIMARY KEY,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  workspace text NOT NULL,
  contact_hash bytea NOT NULL,               -- sha256 of the contact id, never the number
  erased_at bigint NOT NULL
);
CREATE INDEX erasures_feed ON erasures (workspace, xid, seq);

CREATE TABLE quarantine (
  id bigserial PRIMARY KEY,
  workspace text NOT NULL,
  origin text NOT NULL,
  channel text,
  reason text NOT NULL,
  content_type text,
  body bytea NOT NULL,
  received_at bigint NOT NULL
);

-- Message templates fetched from 360dialog: the send proxy names the buttons of template messages.
CREATE TABLE templates (
  workspace text NOT NULL,
  phone_number_id text NOT NULL,
  name text NOT NULL,
  language text NOT NULL,
  status text,
  category text,
  components text NOT NULL,                  -- JSON, as 360dialog sent them
  synced_at bigint NOT NULL,
  PRIMARY KEY (workspace, phone_number_id, name, language)
);

-- POST /v1/conversions/sent: conversions a desktop sent before it was connected (never sent again).
CREATE TABLE conversions_sent_elsewhere (
  workspace text NOT NULL,
  event_id text NOT NULL,
  entry jsonb NOT NULL,
  received_at bigint NOT NULL,
  PRIMARY KEY (workspace, event_id)
);
`,
};
