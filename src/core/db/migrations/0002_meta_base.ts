import type { Migration } from '../migrate';

// The Meta tables that attribution reads (names and spend of Click-to-WhatsApp ads). The Meta sync
// (src/core/meta) writes them; attribution joins `ad:<source_id>` sources on meta_ads/meta_spend.
// The ad id arrives as referral.source_id of a Click-to-WhatsApp message (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components, "Referral").
export const m0002: Migration = {
  id: 2,
  name: 'meta_base',
  up: `
CREATE TABLE meta_accounts (
  id TEXT PRIMARY KEY,                   -- act_<account_id>
  account_id TEXT NOT NULL,
  name TEXT,
  currency TEXT,
  timezone_name TEXT,
  status INTEGER,
  selected INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER
) STRICT;

-- Which business numbers an ad account's ads lead to (default: every number of the workspace).
CREATE TABLE meta_account_numbers (
  account_id TEXT NOT NULL,
  phone_number_id TEXT NOT NULL,
  PRIMARY KEY (account_id, phone_number_id)
) STRICT;

CREATE TABLE meta_ads (
  ad_id TEXT PRIMARY KEY,
  account_id TEXT,                       -- NULL for an ad found by a one-off lookup outside synced accounts
  name TEXT,
  status TEXT,
  effective_status TEXT,
  adset_id TEXT,
  adset_name TEXT,
  campaign_id TEXT,
  campaign_name TEXT,
  updated_time TEXT
) STRICT;

-- Daily spend per ad, in the ad account's currency; date is the account-timezone day Meta reports.
CREATE TABLE meta_spend (
  account_id TEXT NOT NULL,
  ad_id TEXT NOT NULL,
  date TEXT NOT NULL,                    -- YYYY-MM-DD
  spend REAL NOT NULL,
  currency TEXT NOT NULL,
  impressions INTEGER,
  clicks INTEGER,
  messaging_started INTEGER,
  synced_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, ad_id, date)
) STRICT;
CREATE INDEX meta_spend_ad_date ON meta_spend(ad_id, date);
`,
};
