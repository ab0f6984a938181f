import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrate } from '../../../src/core/db/migrate';
import { m0001 } from '../../../src/core/db/migrations/0001_raw';
import { tempDir } from '../../helpers/core';

it('0001 creates the raw tables with their keys', () => {
  const db = new Database(path.join(tempDir(), 'db.sqlite'));
  migrate(db, [m0001]);
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);
  expect(tables).toEqual(
    expect.arrayContaining([
      'business_numbers',
      'contacts',
      'external_events',
      'messages',
      'outgoing_messages',
      'quarantine',
      'raw_payloads',
      'settings',
      'statuses',
    ]),
  );
  db.prepare("INSERT INTO statuses (message_id, status, ts) VALUES ('m', 'read', 1)").run();
  expect(() =>
    db.prepare("INSERT INTO statuses (message_id, status, ts) VALUES ('m', 'read', 2)").run(),
  ).toThrow(/UNIQUE/);
  db.close();
});
