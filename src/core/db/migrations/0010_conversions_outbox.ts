import type { Migration } from '../migrate';

// Conversions to Meta (docs/conversions-api.md): the mapping of conversion events to Meta event names, a
// dataset per WhatsApp Business Account, and the outbox — one row per conversion that is or was to be
// sent, keyed by its deterministic event_id, so a rebuild, a re-import or a restart never sends twice.
// The outbox is stored data, not derived: what Meta was told cannot be derived again.
export const m0010: Migration = {
  id: 10,
  name: 'conversions_outbox',
  up: `
CREATE TABLE capi_mappings (
  event_key TEXT PRIMARY KEY,            -- the app's event id: ext:Purchase, button:Book now …
  meta_event TEXT NOT NULL,              -- Purchase, LeadSubmitted …
  with_value INTEGER NOT NULL DEFAULT 0, -- 1: value and currency from the occurrence's revenue
  rejected_at INTEGER                    -- unix ms when Meta answered 2804066 (name not accepted); NULL once re-mapped
) STRICT;

CREATE TABLE capi_datasets (
  waba_id TEXT PRIMARY KEY,
  dataset_id TEXT NOT NULL,
  found_at INTEGER NOT NULL              -- unix ms
) STRICT;

-- WABA ids entered for numbers whose deliveries do not carry one (on-premise channels).
CREATE TABLE capi_number_wabas (
  phone_number_id TEXT PRIMARY KEY,
  waba_id TEXT NOT NULL
) STRICT;

CREATE TABLE capi_outbox (
  event_id TEXT PRIMARY KEY,             -- hex sha-256 of (conversation, event key, Meta name), first 32 chars
  conversation TEXT NOT NULL,            -- the conversation's first message id (a WhatsApp message id)
  phone_number_id TEXT NOT NULL,
  contact_id TEXT,                       -- NULL once the contact was erased
  source_key TEXT NOT NULL,              -- ad:<ad id>
  event_key TEXT NOT NULL,
  meta_event TEXT NOT NULL,
  occurrence TEXT NOT NULL,              -- message id or external event id of the first occurrence
  event_time INTEGER NOT NULL,           -- unix seconds
  ctwa_clid TEXT,                        -- NULL: not sendable (or erased after sending)
  value_micros INTEGER,                  -- millionths of the currency unit
  currency TEXT,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'rejected', 'expired', 'not_sendable', 'withdrawn')),
  reason TEXT,                           -- code: no_click_id, no_waba, name_not_accepted, restricted_region, meta_error …
  error TEXT,                            -- Meta's message or ours, for people
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,               -- unix ms; failed entries wait until then
  events_received INTEGER,               -- Meta's events_received for the request that carried it
  fbtrace_id TEXT,
  sent_at INTEGER,                       -- unix ms
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  origin TEXT NOT NULL DEFAULT 'local',  -- local | collector (mirrored from the collector that sends)
  seq INTEGER NOT NULL DEFAULT 0         -- raised on every change: the collector feed's position
) STRICT;
-- One live entry per occurrence and Meta name: an occurrence moved to another conversation is not sent again.
CREATE UNIQUE INDEX capi_outbox_occurrence ON capi_outbox(occurrence, meta_event) WHERE state <> 'withdrawn';
CREATE INDEX capi_outbox_conversation ON capi_outbox(conversation);
CREATE INDEX capi_outbox_state ON capi_outbox(state, event_time);
CREATE INDEX capi_outbox_source ON capi_outbox(source_key, state);
CREATE INDEX capi_outbox_seq ON capi_outbox(seq);
CREATE INDEX capi_outbox_contact ON capi_outbox(contact_id) WHERE contact_id IS NOT NULL;

-- Ad conversations (by first message id) whose leads changed since conversions last planned: the
-- derivation engine logs them in the transaction that changed them; the planner drains the log.
CREATE TABLE ad_lead_changes (
  conversation TEXT PRIMARY KEY
) STRICT;

-- Each send request: when, how many, what Meta answered (the status panel's "last errors").
CREATE TABLE capi_sends (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,                   -- unix ms
  dataset_id TEXT NOT NULL,
  events INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  events_received INTEGER,
  fbtrace_id TEXT,
  error TEXT,
  test_event_code TEXT
) STRICT;
`,
};
