import type { Migration } from '../migrate';

// Raw, as-delivered data. Everything derived (conversations, sources, occurrences, summaries) lives in
// later migrations and can be rebuilt from these tables; raw payloads can rebuild these tables.
export const m0001: Migration = {
  id: 1,
  name: 'raw',
  up: `
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- Every delivery or imported payload, deflated. sha256 of the canonical body makes re-imports no-ops.
CREATE TABLE raw_payloads (
  id INTEGER PRIMARY KEY,
  sha256 BLOB NOT NULL UNIQUE,
  received_at INTEGER NOT NULL,          -- unix ms when first stored
  origin TEXT NOT NULL,                  -- webhook | import | sync | demo | send-proxy
  format TEXT NOT NULL,                  -- cloud | onprem
  channel TEXT,                          -- phone_number_id the delivery was addressed to, when known
  body BLOB,                             -- deflated JSON; NULL once retention removed it
  size INTEGER NOT NULL
) STRICT;
CREATE INDEX raw_payloads_received ON raw_payloads(received_at);

CREATE TABLE business_numbers (
  phone_number_id TEXT PRIMARY KEY,
  display_number TEXT,
  display_digits TEXT,
  name TEXT,
  waba_id TEXT,
  first_message_at INTEGER,              -- unix seconds
  last_message_at INTEGER
) STRICT;
CREATE INDEX business_numbers_digits ON business_numbers(display_digits);

-- Contact key: wa_id digits, or 'bsuid:<user_id>' when only a business-scoped id is known.
CREATE TABLE contacts (
  id TEXT PRIMARY KEY,
  name TEXT,
  user_id TEXT,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX contacts_user_id ON contacts(user_id) WHERE user_id IS NOT NULL;

CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  phone_number_id TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  ts INTEGER NOT NULL,                   -- unix seconds
  type TEXT NOT NULL,
  text TEXT,                             -- text body, caption, or button/interactive title
  button_payload TEXT,
  button_text TEXT,
  interactive_type TEXT,
  interactive_id TEXT,
  interactive_title TEXT,
  interactive_description TEXT,
  context_from TEXT,
  context_id TEXT,
  referral TEXT,                         -- JSON of every referral field as delivered
  referral_source_type TEXT,
  referral_source_id TEXT,
  has_errors INTEGER NOT NULL DEFAULT 0,
  extra TEXT,                            -- JSON: type-specific content (location, reaction, order, errors …)
  raw_payload_id INTEGER REFERENCES raw_payloads(id) ON DELETE SET NULL
) STRICT;
CREATE INDEX messages_thread ON messages(phone_number_id, contact_id, ts, id);
CREATE INDEX messages_context ON messages(context_id) WHERE context_id IS NOT NULL;

CREATE TABLE statuses (
  message_id TEXT NOT NULL,
  status TEXT NOT NULL,
  ts INTEGER NOT NULL,
  phone_number_id TEXT,
  recipient_id TEXT,
  conversation_id TEXT,
  conversation_origin TEXT,
  conversation_expiration INTEGER,
  pricing TEXT,                          -- JSON
  errors TEXT,                           -- JSON
  raw_payload_id INTEGER REFERENCES raw_payloads(id) ON DELETE SET NULL,
  PRIMARY KEY (message_id, status)
) STRICT;

-- Messages the business sent: content never comes back by webhook, so it is recorded by the send
-- proxy or imported from a send log (whatsapp-360dialog.md §3).
CREATE TABLE outgoing_messages (
  id TEXT PRIMARY KEY,
  phone_number_id TEXT,
  contact_id TEXT,
  template_name TEXT,
  sent_at INTEGER,                       -- unix seconds
  buttons TEXT,                          -- JSON [{title, id}]
  origin TEXT NOT NULL                   -- send-proxy | send-log | demo
) STRICT;

CREATE TABLE external_events (
  id TEXT PRIMARY KEY,                   -- our external_event_id
  event_id TEXT UNIQUE,                  -- the sender's event_id or Idempotency-Key
  client_id TEXT,
  action TEXT NOT NULL,
  contact_id TEXT NOT NULL,              -- lead_phone as digits
  ts INTEGER NOT NULL,                   -- unix seconds
  revenue_amount REAL,
  revenue_currency TEXT,
  app_id TEXT,
  previous_external_event_id TEXT,
  received_at INTEGER NOT NULL,          -- unix ms when a receiver first stored it
  origin TEXT NOT NULL
) STRICT;
CREATE INDEX external_events_contact ON external_events(contact_id, ts);

CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,
  origin TEXT NOT NULL,
  channel TEXT,
  reason TEXT NOT NULL,
  content_type TEXT,
  body BLOB NOT NULL
) STRICT;
`,
};
