import { afterEach, describe, expect, it } from 'vitest';
import type { AdPlatform, SpendSummary } from '../../../src/core/attribution/report/ad-platform';
import { registerAdPlatform } from '../../../src/core/attribution/report/ad-platforms';
import { feed, makeDb, PHONE, report } from './feed';

// Issue 15: a second ad platform plugs into the report through the AdPlatform seam alone: its spend becomes
// Invested and its names the rows' names, without the report reading any table of it.

const DAILY: Record<string, { date: string; currency: string; spend: number }[]> = {
  '55': [
    { date: '2026-03-02', currency: 'USD', spend: 10 },
    { date: '2026-03-03', currency: 'USD', spend: 2.5 },
    { date: '2026-04-02', currency: 'USD', spend: 99 },
  ],
  '77': [
    { date: '2026-03-05', currency: 'USD', spend: 3 },
    { date: '2026-03-06', currency: 'EUR', spend: 4 },
  ],
};

const fake: AdPlatform = {
  keyPrefix: 'tt',
  kind: 'meta_ad',
  investedFrom: 'meta',
  linkedAds: (_db, phone) => (phone === PHONE ? ['55'] : []),
  dailySpend: (_db, ad, from, to) => (DAILY[ad] ?? []).filter((r) => r.date >= from && r.date <= to),
  spend(db, adIds, from, to) {
    const out = new Map<string, SpendSummary>();
    for (const ad of adIds) {
      const rows = this.dailySpend(db, ad, from, to);
      if (rows.length === 0) continue;
      const spend = new Map<string, number>();
      for (const r of rows) spend.set(r.currency, (spend.get(r.currency) ?? 0) + r.spend);
      out.set(ad, { spend, impressions: 100 * rows.length, clicks: rows.length, started: 0 });
    }
    return out;
  },
  details: (_db, adIds, stats) =>
    new Map(
      adIds.map((ad) => [
        ad,
        {
          adName: `Video ${ad}`,
          campaignId: 'c1',
          campaignName: 'Spring',
          adsetId: 's1',
          adsetName: 'Broad',
          impressions: stats.get(ad)?.impressions ?? null,
          clicks: stats.get(ad)?.clicks ?? null,
          metaConversationsStarted: null,
        },
      ]),
    ),
};

let unregister: (() => void) | undefined;
afterEach(() => unregister?.());

describe('a second ad platform', () => {
  it('gives its ads Invested, names and delivery in the report', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'm1', ts: '2026-03-05 10:00', text: 'hi', referral: { source_type: 'tt', source_id: '77' } },
        { id: 'm2', ts: '2026-03-05 11:00', contact: 'c2', text: 'hello' },
      ],
    });
    expect(report(db).sources.find((s) => s.id === 'tt:55')).toBeUndefined();
    unregister = registerAdPlatform(fake);
    const r = report(db);
    const linked = r.sources.find((s) => s.id === 'tt:55');
    expect(linked).toMatchObject({
      kind: 'meta_ad',
      name: 'Spring › Broad › Video 55',
      conversations: 0,
      invested: 12.5,
      investedFrom: 'meta',
      meta: { campaignName: 'Spring', adsetName: 'Broad', impressions: 200, clicks: 2 },
    });
    expect(r.sources.find((s) => s.id === 'tt:77')).toMatchObject({
      name: 'Spring › Broad › Video 77',
      conversations: 1,
      invested: 3,
      investedOther: { EUR: 4 },
    });
    expect(r.totals.invested).toBe(15.5);
    expect(r.paid.sources).toBe(2);
  });

  it('refuses a second platform for the same key prefix', () => {
    expect(() => registerAdPlatform({ ...fake, keyPrefix: 'ad' })).toThrow('already owns "ad:" keys');
  });
});
