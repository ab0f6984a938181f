import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrate } from '../../../src/core/db/migrate';
import { m0001 } from '../../../src/core/db/migrations/0001_raw';
import { m0002 } from '../../../src/core/db/migrations/0002_meta_base';
import { m0004 } from '../../../src/core/db/migrations/0004_attribution';
import { tempDir } from '../../helpers/core';

it('0004 creates the attribution tables, the first derived set and keeps a monthly spend summary', () => {
  const db = new Database(path.join(tempDir(), 'db.sqlite'));
  migrate(db, [m0001, m0002]);
  const spend = db.prepare(
    "INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, impressions, synced_at) VALUES ('act_1', '7', ?, ?, 'USD', 10, 0)",
  );
  spend.run('2026-03-01', 1.1);
  migrate(db, [m0001, m0002, m0004]);
  const names = (
    db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").pluck().all() as string[]
  ).sort();
  expect(names).toEqual(
    expect.arrayContaining([
      'attr_state',
      'attr_keywords',
      'attr_source_names',
      'attr_investments',
      'attr_a_conversations',
      'attr_a_sum_src',
      'attr_conversations',
      'attr_spend_month',
    ]),
  );
  expect(db.prepare("SELECT value FROM attr_state WHERE key = 'active'").pluck().get()).toBe('"attr_a_"');
  // Existing spend is summarized by the migration, later rows by the triggers; re-syncs never drift.
  spend.run('2026-03-02', 2.2);
  db.prepare("UPDATE meta_spend SET spend = 0.3 WHERE date = '2026-03-02'").run();
  spend.run('2026-04-01', 5);
  db.prepare("DELETE FROM meta_spend WHERE date = '2026-04-01'").run();
  expect(
    db.prepare('SELECT ad_id, month, currency, spend, impressions, days FROM attr_spend_month').all(),
  ).toEqual([{ ad_id: '7', month: '2026-03', currency: 'USD', spend: 1_400_000, impressions: 20, days: 2 }]);
  expect(() =>
    db.prepare("INSERT INTO attr_keywords (keyword, added_at) VALUES ('a', 1), ('a', 2)").run(),
  ).toThrow(/UNIQUE/);
  db.close();
});
