import { afterEach, expect, it } from 'vitest';
import type { Db } from '../../../src/core/db/open';
import { readStatus } from '../../../src/core/meta/connection';
import { buildMetaFixture, syncFromFixture } from '../../../src/core/meta/demo-graph';
import { removeDb, testDb } from '../../fakes/meta-fixture';

let db: Db | undefined;
afterEach(() => {
  if (db) removeDb(db);
  db = undefined;
});

it('syncFromFixture feeds a generated fixture through the real client and sync (the demo path)', async () => {
  const ads = [
    {
      adId: '1001',
      adName: 'Video',
      adsetId: '501',
      adsetName: 'Set A',
      campaignId: '301',
      campaignName: 'Camp',
      dailySpend: (d: string) => (d.endsWith('5') ? null : 12.5),
    },
    {
      adId: '1002',
      adName: 'Carousel',
      adsetId: '501',
      adsetName: 'Set A',
      campaignId: '301',
      campaignName: 'Camp',
      dailySpend: () => ({ spend: 3.1, clicks: 7, messagingStarted: 2 }),
    },
  ];
  const fixture = buildMetaFixture({ ads, from: '2026-01-01', to: '2026-06-30' });
  // The fixture is plain JSON (it can be recorded to resources/demo and read back).
  const revived = JSON.parse(JSON.stringify(fixture));
  db = testDb();
  const summary = await syncFromFixture(db, revived, { now: () => Date.parse('2026-06-30T12:00:00Z') });
  // testDb's referrals to 9001 and 9999 are in no account of this fixture and not found by lookup.
  expect(summary).toMatchObject({ accounts: 1, currencies: ['EUR'], lookups: { found: 0, notFound: 2 } });

  const perAd = db
    .prepare(
      'SELECT ad_id, COUNT(*) AS days, ROUND(SUM(spend), 2) AS spend, SUM(clicks) AS clicks FROM meta_spend GROUP BY ad_id',
    )
    .all();
  const days1001 = 181 - 18; // no spend on the 5th, 15th and 25th of January to June
  expect(perAd).toEqual([
    { ad_id: '1001', days: days1001, spend: days1001 * 12.5, clicks: expect.any(Number) },
    { ad_id: '1002', days: 181, spend: Math.round(181 * 3.1 * 100) / 100, clicks: 181 * 7 },
  ]);
  expect(
    db.prepare("SELECT name, adset_name, campaign_name FROM meta_ads WHERE ad_id = '1002'").get(),
  ).toEqual({
    name: 'Carousel',
    adset_name: 'Set A',
    campaign_name: 'Camp',
  });
  expect(readStatus(db, { hasToken: false, deviceLoginPending: false })).toMatchObject({
    connected: true,
    method: 'demo',
    needsLogin: false,
    user: { name: 'Demo Marketer' },
    lastSync: { ok: true },
  });
});
