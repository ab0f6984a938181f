import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { migrate } from '../../../src/core/db/migrate';
import { migrations } from '../../../src/core/db/migrations';
import { tempDir } from '../../helpers/core';

const upTo = (id: number) => migrations.filter((m) => m.id <= id);

type Spend = [ad: string, date: string, spend: number, currency: string, impressions: number | null];

function open(): Database.Database {
  return new Database(path.join(tempDir(), 'db.sqlite'));
}

function insert(db: Database.Database, rows: Spend[]): void {
  const ins = db.prepare(
    `INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, impressions, clicks, messaging_started, synced_at)
     VALUES ('act_1', ?, ?, ?, ?, ?, 1, NULL, 0)
     ON CONFLICT(account_id, ad_id, date) DO UPDATE SET spend = excluded.spend, currency = excluded.currency,
       impressions = excluded.impressions`,
  );
  for (const r of rows) ins.run(...r);
}

/** Running totals as the triggers keep them, and as recomputed from meta_spend. */
function kept(db: Database.Database) {
  return db
    .prepare(
      'SELECT ad_id, currency, date, spend, impressions, clicks, started, days, n FROM attr_spend_cum ORDER BY 1, 2, 3',
    )
    .all();
}
function recomputed(db: Database.Database) {
  return db
    .prepare(
      `SELECT ad_id, currency, date,
         SUM(SUM(CAST(ROUND(spend * 1000000) AS INTEGER))) OVER w AS spend, SUM(SUM(COALESCE(impressions, 0))) OVER w AS impressions,
         SUM(SUM(COALESCE(clicks, 0))) OVER w AS clicks, SUM(SUM(COALESCE(messaging_started, 0))) OVER w AS started,
         SUM(COUNT(*)) OVER w AS days, COUNT(*) AS n
       FROM meta_spend GROUP BY ad_id, currency, date WINDOW w AS (PARTITION BY ad_id, currency ORDER BY date) ORDER BY 1, 2, 3`,
    )
    .all();
}

it('0007 replaces the monthly sums with running totals filled from the spend already synced', () => {
  const db = open();
  migrate(db, upTo(6));
  insert(db, [
    ['a1', '2026-01-02', 1.1, 'USD', 10],
    ['a1', '2026-01-01', 2.2, 'USD', null],
    ['a2', '2026-01-01', 5, 'EUR', 3],
  ]);
  migrate(db, upTo(7));
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
  expect(tables).not.toContain('attr_spend_month');
  expect(kept(db)).toEqual([
    {
      ad_id: 'a1',
      currency: 'USD',
      date: '2026-01-01',
      spend: 2_200_000,
      impressions: 0,
      clicks: 1,
      started: 0,
      days: 1,
      n: 1,
    },
    {
      ad_id: 'a1',
      currency: 'USD',
      date: '2026-01-02',
      spend: 3_300_000,
      impressions: 10,
      clicks: 2,
      started: 0,
      days: 2,
      n: 1,
    },
    {
      ad_id: 'a2',
      currency: 'EUR',
      date: '2026-01-01',
      spend: 5_000_000,
      impressions: 3,
      clicks: 1,
      started: 0,
      days: 1,
      n: 1,
    },
  ]);
  expect(db.prepare('SELECT ad_id, currency FROM attr_spend_ads ORDER BY 1').all()).toEqual([
    { ad_id: 'a1', currency: 'USD' },
    { ad_id: 'a2', currency: 'EUR' },
  ]);
  db.close();
});

it('0007 triggers keep running totals exact through inserts in any order, re-syncs and deletes', () => {
  const db = open();
  migrate(db, upTo(7));
  const row = fc.tuple(
    fc.constantFrom('a1', 'a2'),
    fc.integer({ min: 1, max: 9 }).map((d) => `2026-03-0${d}`),
    fc.integer({ min: 0, max: 100_000 }).map((c) => c / 100),
    fc.constantFrom('USD', 'EUR'),
    fc.option(fc.integer({ min: 0, max: 1000 })),
  );
  fc.assert(
    fc.property(
      fc.array(row, { maxLength: 30 }),
      fc.array(fc.tuple(fc.constantFrom('a1', 'a2'), fc.integer({ min: 1, max: 9 })), { maxLength: 5 }),
      (rows, deletes) => {
        db.exec('DELETE FROM meta_spend');
        expect(kept(db)).toEqual([]);
        insert(db, rows as Spend[]);
        const del = db.prepare("DELETE FROM meta_spend WHERE ad_id = ? AND date = '2026-03-0' || ?");
        for (const [ad, d] of deletes) del.run(ad, d);
        expect(kept(db)).toEqual(recomputed(db));
      },
    ),
    { numRuns: 200 },
  );
  db.close();
});
