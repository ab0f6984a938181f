import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrate } from '../../../src/core/db/migrate';
import { migrations } from '../../../src/core/db/migrations';
import { tempDir } from '../../helpers/core';

it('0012 indexes the running totals of spend by date over the rows already synced, and the index answers a date alone', () => {
  const db = new Database(path.join(tempDir(), 'db.sqlite'));
  migrate(
    db,
    migrations.filter((m) => m.id < 12),
  );
  const ins = db.prepare(
    `INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, impressions, clicks, messaging_started, synced_at)
     VALUES ('act_1', ?, ?, ?, 'EUR', 10, 1, 1, 0)`,
  );
  ins.run('a1', '2026-03-01', 2);
  ins.run('a1', '2026-03-02', 3);
  migrate(db, migrations);
  ins.run('a2', '2026-03-02', 4);
  const onDate = db.prepare(
    'SELECT ad_id, spend, days FROM attr_spend_cum INDEXED BY attr_spend_cum_date WHERE date = ? ORDER BY ad_id',
  );
  expect(onDate.all('2026-03-02')).toEqual([
    { ad_id: 'a1', spend: 5_000_000, days: 2 },
    { ad_id: 'a2', spend: 4_000_000, days: 1 },
  ]);
  const plan = db
    .prepare(`EXPLAIN QUERY PLAN ${onDate.source}`)
    .all('2026-03-02')
    .map((r) => (r as { detail: string }).detail)
    .join(' ');
  expect(plan).toMatch(/COVERING INDEX attr_spend_cum_date/);
  db.close();
});
