import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrate } from '../../../src/core/db/migrate';
import { m0001 } from '../../../src/core/db/migrations/0001_raw';
import { m0002 } from '../../../src/core/db/migrations/0002_meta_base';
import { tempDir } from '../../helpers/core';

it('0002 creates the Meta tables attribution reads, keyed per account, ad and day', () => {
  const db = new Database(path.join(tempDir(), 'db.sqlite'));
  migrate(db, [m0001, m0002]);
  const insert = db.prepare(
    `INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, synced_at) VALUES ('act_1', 'ad1', '2026-11-01', ?, 'EUR', 0)`,
  );
  insert.run(10.5);
  expect(() => insert.run(11)).toThrow(/UNIQUE/);
  db.prepare("INSERT INTO meta_ads (ad_id, name, campaign_name) VALUES ('ad1', 'Ad', 'Campaign')").run();
  db.prepare("INSERT INTO meta_account_numbers (account_id, phone_number_id) VALUES ('act_1', '123')").run();
  expect(() =>
    db
      .prepare("INSERT INTO meta_account_numbers (account_id, phone_number_id) VALUES ('act_1', '123')")
      .run(),
  ).toThrow(/UNIQUE/);
  expect(() =>
    db
      .prepare(
        "INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, synced_at) VALUES ('a', 'b', 'c', 'lots', 'EUR', 0)",
      )
      .run(),
  ).toThrow();
  db.close();
});
