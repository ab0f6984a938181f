import type { PgMigration } from '../migrate';

// Conversions to Meta on PostgreSQL (issue 18 item 4; docs/collector.md, "Conversions to Meta with
// PostgreSQL"). Frozen as shipped: never edit, add the next number (its checksum is recorded).
// - capi_outbox: the outbox of the process holding a workspace's `conversions` lease, mirrored here with
//   every column of the SQLite outbox (SQLite migration 0010), so that the next owner starts from it and
//   desktops see its states in the feed. Like the other feed rows it carries `xid` and `seq`, both renewed
//   on every change of the row, so a changed row is served again (src/core/pg/feed.ts).
// - claimed_by / claimed_at: the holder that was about to post the entry to Meta, written under the lease
//   just before the request; a new owner finding a claim of another holder on an unsent entry knows that
//   request's answer was lost (src/core/pg/conversions-owner.ts).
export const p0003: PgMigration = {
  id: 3,
  name: 'conversions',
  up: `
CREATE SEQUENCE capi_outbox_seq;
CREATE TABLE capi_outbox (
  workspace text NOT NULL,
  event_id text NOT NULL,
  conversation text NOT NULL,
  phone_number_id text NOT NULL,
  contact_id text,
  source_key text NOT NULL,
  event_key text NOT NULL,
  meta_event text NOT NULL,
  occurrence text NOT NULL,
  event_time bigint NOT NULL,
  ctwa_clid text,
  value_micros bigint,
  currency text,
  state text NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'rejected', 'expired', 'not_sendable', 'withdrawn')),
  reason text,
  error text,
  attempts integer NOT NULL,
  next_attempt_at bigint,
  events_received integer,
  fbtrace_id text,
  sent_at bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  claimed_by text,
  claimed_at timestamptz,
  seq bigint NOT NULL DEFAULT nextval('capi_outbox_seq'),
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  PRIMARY KEY (workspace, event_id)
);
CREATE INDEX capi_outbox_feed ON capi_outbox (workspace, xid, seq);
CREATE INDEX capi_outbox_contact ON capi_outbox (workspace, contact_id) WHERE contact_id IS NOT NULL;
`,
};
