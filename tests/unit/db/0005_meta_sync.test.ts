import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrate } from '../../../src/core/db/migrate';
import { m0001 } from '../../../src/core/db/migrations/0001_raw';
import { m0002 } from '../../../src/core/db/migrations/0002_meta_base';
import { m0005 } from '../../../src/core/db/migrations/0005_meta_sync';
import { tempDir } from '../../helpers/core';

it('0005 creates the Meta sync state tables with their keys and checks', () => {
  const db = new Database(path.join(tempDir(), 'db.sqlite'));
  migrate(db, [m0001, m0002, m0005]);
  const tables = (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'meta_%' ORDER BY name")
      .all() as { name: string }[]
  ).map((r) => r.name);
  expect(tables).toEqual(
    expect.arrayContaining([
      'meta_ad_lookups',
      'meta_adsets',
      'meta_campaigns',
      'meta_connection',
      'meta_report_runs',
      'meta_sync_runs',
      'meta_sync_state',
    ]),
  );
  // At most one connection, and only known methods.
  db.prepare(
    "INSERT INTO meta_connection (id, method, connected_at, checked_at) VALUES (1, 'token', 1, 1)",
  ).run();
  expect(() =>
    db
      .prepare("INSERT INTO meta_connection (id, method, connected_at, checked_at) VALUES (2, 'token', 1, 1)")
      .run(),
  ).toThrow(/CHECK/);
  expect(() => db.prepare("UPDATE meta_connection SET method = 'password'").run()).toThrow(/CHECK/);
  db.prepare("INSERT INTO meta_report_runs VALUES ('act_1', '2026-01-01', '2026-01-30', 'r1', 1)").run();
  expect(() =>
    db.prepare("INSERT INTO meta_report_runs VALUES ('act_1', '2026-01-01', '2026-01-30', 'r2', 2)").run(),
  ).toThrow(/UNIQUE/);
  db.close();
});
