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

function totals(db: Database.Database) {
  return db
    .prepare(
      "SELECT ad_id, currency, last_date, spend, impressions, clicks, started, days FROM attr_spend_ads WHERE last_date <> '' ORDER BY 1, 2",
    )
    .all();
}
function lastRunningTotals(db: Database.Database) {
  return db
    .prepare(
      `SELECT ad_id, currency, date AS last_date, spend, impressions, clicks, started, days FROM attr_spend_cum c
       WHERE date = (SELECT MAX(date) FROM attr_spend_cum WHERE ad_id = c.ad_id AND currency = c.currency) ORDER BY 1, 2`,
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
  expect(
    db.prepare("SELECT name FROM sqlite_master WHERE name = 'attr_meta_spend_ad'").get(),
  ).toBeUndefined();
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
  expect(
    db.prepare('SELECT ad_id, currency, last_date, spend, days FROM attr_spend_ads ORDER BY 1').raw().all(),
  ).toEqual([
    ['a1', 'USD', '2026-01-02', 3_300_000, 2],
    ['a2', 'EUR', '2026-01-01', 5_000_000, 1],
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
        // Per ad and currency: the totals through its last date, as the last running total has them.
        expect(totals(db)).toEqual(lastRunningTotals(db));
      },
    ),
    { numRuns: 200 },
  );
  db.close();
});

it('0007 adds 7- and 28-day block summaries (and their indexes) to a table set derived before them, and keeps them with sum_src', () => {
  const db = open();
  migrate(db, upTo(6));
  // A database from before 0007: its derived tables (made by 0004 as shipped) have no block summaries.
  const objects = (names: string[]) =>
    db
      .prepare(`SELECT name FROM sqlite_master WHERE name IN (${names.map(() => '?').join(', ')}) ORDER BY 1`)
      .pluck()
      .all(...names);
  const added = ['attr_a_conv_rep', 'attr_a_sources_kind', 'attr_a_sum_src_m', 'attr_a_sum_src_w'];
  expect(objects(added)).toEqual([]);
  const ins = db.prepare(
    'INSERT INTO attr_a_sum_src (phone, day, source, prev_day, n) VALUES (?, ?, ?, ?, ?)',
  );
  ins.run('p', 20_000, 1, -1, 2);
  ins.run('p', 20_001, 1, 19_990, 1);
  ins.run('p', 20_010, 1, -1, 4);
  ins.run('p', 20_001, 2, -1, 1);
  migrate(db, upTo(7));
  expect(objects(added)).toEqual(added);
  const blocks = (t: string) =>
    db.prepare(`SELECT phone, block, source, n FROM attr_a_sum_src_${t} ORDER BY 1, 2, 3`).raw().all();
  // 20000 / 7 = 2857, 20010 / 7 = 2858; 20000 / 28 = 714 for all four rows.
  expect(blocks('w')).toEqual([
    ['p', 2857, 1, 3],
    ['p', 2857, 2, 1],
    ['p', 2858, 1, 4],
  ]);
  expect(blocks('m')).toEqual([
    ['p', 714, 1, 7],
    ['p', 714, 2, 1],
  ]);
  // The engine's writes (upsert, then delete at zero) keep them.
  db.prepare("UPDATE attr_a_sum_src SET n = n + 2 WHERE phone = 'p' AND day = 20010 AND source = 1").run();
  db.prepare("UPDATE attr_a_sum_src SET n = 0 WHERE phone = 'p' AND day = 20001 AND source = 2").run();
  db.prepare("DELETE FROM attr_a_sum_src WHERE phone = 'p' AND day = 20001 AND source = 2").run();
  db.prepare("DELETE FROM attr_a_sum_src WHERE phone = 'p' AND day = 20000 AND source = 1").run();
  ins.run('p', 20_030, 3, -1, 5);
  expect(blocks('w')).toEqual([
    ['p', 2857, 1, 1],
    ['p', 2858, 1, 6],
    ['p', 2861, 3, 5],
  ]);
  expect(blocks('m')).toEqual([
    ['p', 714, 1, 7],
    ['p', 715, 3, 5],
  ]);
  db.close();
});
