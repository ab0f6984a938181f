import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrate } from '../../../src/core/db/migrate';
import { migrations } from '../../../src/core/db/migrations';
import { tempDir } from '../../helpers/core';

it('0011 adds imported spend beside the manual entries it leaves as they were: one amount per source, date, currency', () => {
  const db = new Database(path.join(tempDir(), 'db.sqlite'));
  migrate(
    db,
    migrations.filter((m) => m.id < 11),
  );
  db.prepare(
    "INSERT INTO attr_investments (source_key, amount, currency, from_date, to_date, saved_at) VALUES ('kw:promo', 100, 'USD', '2026-03-01', '2026-03-10', 1)",
  ).run();
  migrate(db, migrations);
  expect(db.prepare('SELECT source_key, amount FROM attr_investments').all()).toEqual([
    { source_key: 'kw:promo', amount: 100 },
  ]);
  const ins = db.prepare(
    "INSERT INTO attr_spend_imports (source_key, date, currency, amount, imported_at) VALUES ('kw:flyer', '2026-03-01', 'USD', ?, 0)",
  );
  ins.run(10_000_000);
  expect(() => ins.run(5_000_000)).toThrow(/UNIQUE|PRIMARY KEY/);
  expect(() =>
    db
      .prepare(
        "INSERT INTO attr_spend_imports (source_key, date, currency, amount, imported_at) VALUES ('kw:flyer', '2026-03-02', 'USD', -1, 0)",
      )
      .run(),
  ).toThrow(/CHECK/);
  db.close();
});
