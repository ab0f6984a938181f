import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrate } from '../../../src/core/db/migrate';
import { m0008 } from '../../../src/core/db/migrations/0008_sync_erasures';
import { tempDir } from '../../helpers/core';

it('0008 creates the erasure log: hashes in order, sequence numbers never reused', () => {
  const db = new Database(path.join(tempDir(), 'db.sqlite'));
  migrate(db, [m0008]);
  const log = db.prepare('INSERT INTO sync_erasures (contact_hash, erased_at) VALUES (?, ?) RETURNING seq');
  const a = (log.get(Buffer.alloc(32, 1), 1) as { seq: number }).seq;
  db.prepare('DELETE FROM sync_erasures WHERE seq = ?').run(a);
  // AUTOINCREMENT: a desktop whose cursor passed seq a must not miss the next erasure.
  expect((log.get(Buffer.alloc(32, 2), 2) as { seq: number }).seq).toBeGreaterThan(a);
  expect(() =>
    db.prepare('INSERT INTO sync_erasures (contact_hash, erased_at) VALUES (NULL, 1)').run(),
  ).toThrow(/NOT NULL/);
  db.close();
});
