import type { Migration } from '../migrate';

// State of the Meta sync (src/core/meta): the connection, per-account cursors, async report runs in
// flight, campaign and ad set names, and one-off ad lookups. meta_ads / meta_spend (0002) keep their
// meaning: the sync writes them, attribution reads them. See docs/meta.md.
export const m0005: Migration = {
  id: 5,
  name: 'meta_sync',
  up: `
-- One row at most: who the stored token belongs to (the token itself lives in the SecretStore).
CREATE TABLE meta_connection (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  method TEXT NOT NULL CHECK (method IN ('token', 'device', 'demo')),
  user_id TEXT,
  user_name TEXT,
  app_id TEXT,
  token_type TEXT,
  expires_at INTEGER,                    -- unix seconds; NULL = never expires or unknown
  data_access_expires_at INTEGER,
  permissions TEXT NOT NULL DEFAULT '[]',-- JSON array of granted permissions
  needs_login INTEGER NOT NULL DEFAULT 0,
  needs_login_reason TEXT,
  connected_at INTEGER NOT NULL,         -- unix ms
  checked_at INTEGER NOT NULL            -- unix ms
) STRICT;

-- Per ad account: incremental cursors. spend_through only advances over days whose rows are stored,
-- in the same transaction as those rows, so an interrupted sync resumes without gaps.
CREATE TABLE meta_sync_state (
  account_id TEXT PRIMARY KEY,
  campaigns_updated_after INTEGER,       -- unix seconds of the newest updated_time seen
  adsets_updated_after INTEGER,
  ads_updated_after INTEGER,
  spend_since TEXT,                      -- first day the spend history covers (YYYY-MM-DD, account timezone)
  spend_through TEXT,                    -- every day in [spend_since, spend_through] is stored
  last_sync_at INTEGER                   -- unix ms
) STRICT;

CREATE TABLE meta_campaigns (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  name TEXT,
  status TEXT,
  effective_status TEXT,
  updated_time TEXT
) STRICT;

CREATE TABLE meta_adsets (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  campaign_id TEXT,
  name TEXT,
  status TEXT,
  effective_status TEXT,
  updated_time TEXT
) STRICT;

-- Async insights report runs started but not yet read: a restarted sync polls the same run.
CREATE TABLE meta_report_runs (
  account_id TEXT NOT NULL,
  since TEXT NOT NULL,
  until TEXT NOT NULL,
  report_run_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,           -- unix ms
  PRIMARY KEY (account_id, since, until)
) STRICT;

-- One-off lookups of referral ad ids outside the synced accounts (found or not), so each is asked once a week.
CREATE TABLE meta_ad_lookups (
  ad_id TEXT PRIMARY KEY,
  looked_up_at INTEGER NOT NULL,         -- unix ms
  found INTEGER NOT NULL,
  error TEXT
) STRICT;

CREATE TABLE meta_sync_runs (
  id INTEGER PRIMARY KEY,
  started_at INTEGER NOT NULL,           -- unix ms
  ended_at INTEGER,
  ok INTEGER,                            -- NULL while running (or killed)
  error TEXT,
  summary TEXT                           -- JSON MetaSyncResult
) STRICT;
`,
};
