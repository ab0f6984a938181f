import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrate } from '../../../src/core/db/migrate';
import { m0001 } from '../../../src/core/db/migrations/0001_raw';
import { m0002 } from '../../../src/core/db/migrations/0002_meta_base';
import { m0003 } from '../../../src/core/db/migrations/0003_ingest';
import { tempDir } from '../../helpers/core';

it('0003 adds channels, api_keys and raw_payload_contacts with their keys', () => {
  const dir = tempDir();
  const db = new Database(path.join(dir, 'db.sqlite'));
  migrate(db, [m0001, m0002, m0003]);
  db.prepare("INSERT INTO channels (phone_number_id, secret_hash, created_at) VALUES ('1', x'00', 1)").run();
  expect(() =>
    db
      .prepare("INSERT INTO channels (phone_number_id, secret_hash, created_at) VALUES ('1', x'01', 2)")
      .run(),
  ).toThrow(/UNIQUE/);
  db.prepare("INSERT INTO api_keys (id, key_hash, prefix, created_at) VALUES ('a', x'aa', 'ik_', 1)").run();
  expect(() =>
    db.prepare("INSERT INTO api_keys (id, key_hash, prefix, created_at) VALUES ('b', x'aa', 'ik_', 1)").run(),
  ).toThrow(/UNIQUE/);
  db.prepare("INSERT INTO raw_payload_contacts (contact_id, raw_payload_id) VALUES ('c', 1)").run();
  expect(() =>
    db.prepare("INSERT INTO raw_payload_contacts (contact_id, raw_payload_id) VALUES ('c', 1)").run(),
  ).toThrow(/UNIQUE/);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
