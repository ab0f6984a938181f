import fs from 'node:fs';
import path from 'node:path';
import { type Db, openDatabase } from '../../src/core/db/open';
import { buildMetaFixture, type MetaFixture } from '../../src/core/meta/demo-graph';
import { tempDir } from '../helpers/core';

// The test world: two ad accounts in different currencies and timezones, an archived ad, an ad that
// only a one-off lookup finds, and a referral to an ad nobody can see.

export const NOW = Date.parse('2026-11-20T12:00:00Z');
export const TODAY = '2026-11-20';
export const FROM = '2026-08-13'; // 100 days back

const spendOf = (seed: number) => (date: string) => {
  const d = Number(date.slice(8, 10)) + Number(date.slice(5, 7)) * 31;
  if ((d + seed) % 9 === 0) return null; // some days without delivery
  return {
    spend: ((d * 7 + seed * 13) % 40) + 0.37 + seed / 100,
    impressions: 1000 + ((d * seed) % 500),
    clicks: 10 + (d % 7),
    messagingStarted: d % 4,
  };
};

/** `to` defaults to TODAY; the history starts 99 days before it. */
export function testFixture(overrides: { permissions?: string[]; to?: string } = {}): MetaFixture {
  const to = overrides.to ?? TODAY;
  return buildMetaFixture({
    from: new Date(Date.parse(`${to}T00:00:00Z`) - 99 * 86_400_000).toISOString().slice(0, 10),
    to,
    accounts: [
      { id: 'act_111', name: 'Shop EUR', currency: 'EUR', timezone_name: 'Europe/Berlin', account_status: 1 },
      {
        id: 'act_222',
        name: 'Shop USD',
        currency: 'USD',
        timezone_name: 'America/New_York',
        account_status: 1,
      },
    ],
    ads: [
      {
        adId: '1001',
        adName: 'Summer video',
        adsetId: '501',
        adsetName: 'Lookalike 1%',
        campaignId: '301',
        campaignName: 'CTWA Summer',
        accountId: 'act_111',
        dailySpend: spendOf(1),
      },
      {
        adId: '1002',
        adName: 'Summer carousel',
        adsetId: '501',
        adsetName: 'Lookalike 1%',
        campaignId: '301',
        campaignName: 'CTWA Summer',
        accountId: 'act_111',
        dailySpend: spendOf(2),
      },
      {
        adId: '1003',
        adName: 'Old promo',
        adsetId: '502',
        adsetName: 'Broad',
        campaignId: '302',
        campaignName: 'CTWA Spring',
        accountId: 'act_111',
        effectiveStatus: 'ARCHIVED',
        dailySpend: spendOf(3),
      },
      {
        adId: '2001',
        adName: 'US launch',
        adsetId: '601',
        adsetName: 'US broad',
        campaignId: '401',
        campaignName: 'US CTWA',
        accountId: 'act_222',
        dailySpend: spendOf(4),
      },
      {
        adId: '9001',
        adName: 'Partner ad',
        adsetId: '901',
        adsetName: 'Partner set',
        campaignId: '801',
        campaignName: 'Partner campaign',
        accountId: null,
      },
    ],
    ...(overrides.permissions ? { permissions: overrides.permissions } : {}),
  });
}

/** A fresh workspace database with one business number and inbound referrals to 1001, 9001 and 9999. */
export function testDb(): Db {
  const db = openDatabase(path.join(tempDir('insights-meta-'), 'insights.sqlite'));
  db.prepare(
    "INSERT INTO business_numbers (phone_number_id, display_number, display_digits, name) VALUES ('pn1', '+49 30 1234567', '49301234567', 'Berlin')",
  ).run();
  db.prepare(
    "INSERT INTO business_numbers (phone_number_id, display_number, display_digits, name) VALUES ('pn2', '+1 212 555 0100', '12125550100', 'NYC')",
  ).run();
  const msg = db.prepare(
    `INSERT INTO messages (id, phone_number_id, contact_id, direction, ts, type, referral_source_type, referral_source_id)
     VALUES (?, 'pn1', ?, 'in', ?, 'text', 'ad', ?)`,
  );
  msg.run('m1', '4915100000001', 1_790_000_000, '1001');
  msg.run('m2', '4915100000002', 1_790_000_100, '9001');
  msg.run('m3', '4915100000003', 1_790_000_200, '9999');
  return db;
}

export function removeDb(db: Db): void {
  const file = db.name;
  db.close();
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
}

/** Everything the sync decides, without timestamps. */
export function dump(db: Db): unknown {
  return {
    ads: db.prepare('SELECT * FROM meta_ads ORDER BY ad_id').all(),
    spend: db
      .prepare(
        'SELECT account_id, ad_id, date, spend, currency, impressions, clicks, messaging_started FROM meta_spend ORDER BY account_id, ad_id, date',
      )
      .all(),
    state: db
      .prepare(
        'SELECT account_id, campaigns_updated_after, adsets_updated_after, ads_updated_after, spend_since, spend_through FROM meta_sync_state ORDER BY account_id',
      )
      .all(),
    campaigns: db.prepare('SELECT * FROM meta_campaigns ORDER BY id').all(),
    adsets: db.prepare('SELECT * FROM meta_adsets ORDER BY id').all(),
    lookups: db.prepare('SELECT ad_id, found FROM meta_ad_lookups ORDER BY ad_id').all(),
  };
}
