import fc from 'fast-check';
import { expect, it } from 'vitest';
import { spendSummary } from '../../../src/core/meta/ad-platform';
import { makeDb } from './feed';

// Invested reads running totals (migration 0007): for any range, synced spend, delivery figures and
// "has a spend row" must equal plain sums over meta_spend, through inserts, re-syncs and deletes.

const day = (d: number) => `2026-03-${String(d).padStart(2, '0')}`;

it('spend of any range from running totals equals the plain sum of meta_spend rows', () => {
  const db = makeDb();
  const upsert = db.prepare(
    `INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, impressions, clicks, messaging_started, synced_at)
     VALUES ('act_1', ?, ?, ?, ?, ?, 2, 1, 0)
     ON CONFLICT(account_id, ad_id, date) DO UPDATE SET spend = excluded.spend, currency = excluded.currency, impressions = excluded.impressions`,
  );
  const remove = db.prepare('DELETE FROM meta_spend WHERE ad_id = ? AND date = ?');
  const naive = db.prepare(
    `SELECT ad_id, currency, SUM(CAST(ROUND(spend * 1000000) AS INTEGER)) AS micro, SUM(COALESCE(impressions, 0)) AS impressions,
       SUM(clicks) AS clicks, SUM(messaging_started) AS started
     FROM meta_spend WHERE date BETWEEN ? AND ? GROUP BY ad_id, currency`,
  );
  // 'a 2': an id with a space, which running totals must not split.
  const ad = fc.constantFrom('a1', 'a 2');
  const write = fc.oneof(
    fc.tuple(
      fc.constant('upsert' as const),
      ad,
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 0, max: 9999 }),
      fc.constantFrom('USD', 'EUR'),
      fc.option(fc.nat(500)),
    ),
    fc.tuple(fc.constant('delete' as const), ad, fc.integer({ min: 1, max: 20 })),
  );
  fc.assert(
    fc.property(
      fc.array(write, { maxLength: 40 }),
      fc.array(fc.tuple(fc.integer({ min: 1, max: 22 }), fc.integer({ min: 0, max: 22 })), {
        minLength: 1,
        maxLength: 5,
      }),
      (writes, ranges) => {
        db.exec('DELETE FROM meta_spend');
        for (const w of writes) {
          if (w[0] === 'upsert') upsert.run(w[1], day(w[2]), w[3] / 100, w[4], w[5]);
          else remove.run(w[1], day(w[2]));
        }
        for (const [start, len] of ranges) {
          const [from, to] = [day(start), day(Math.min(start + len, 28))];
          const expected = new Map<
            string,
            { spend: Record<string, number>; impressions: number; clicks: number; started: number }
          >();
          for (const r of naive.all(from, to) as {
            ad_id: string;
            currency: string;
            micro: number;
            impressions: number;
            clicks: number;
            started: number;
          }[]) {
            const e = expected.get(r.ad_id) ?? { spend: {}, impressions: 0, clicks: 0, started: 0 };
            expected.set(r.ad_id, e);
            e.spend[r.currency] = r.micro / 1_000_000;
            e.impressions += r.impressions;
            e.clicks += r.clicks;
            e.started += r.started;
          }
          const got = spendSummary(db, ['a1', 'a 2', 'a3'], from, to);
          expect(
            Object.fromEntries([...got].map(([k, v]) => [k, { ...v, spend: Object.fromEntries(v.spend) }])),
          ).toEqual(Object.fromEntries(expected));
        }
      },
    ),
    { numRuns: 150 },
  );
  db.close();
});
