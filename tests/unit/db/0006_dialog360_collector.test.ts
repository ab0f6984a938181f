import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrate } from '../../../src/core/db/migrate';
import { m0001 } from '../../../src/core/db/migrations/0001_raw';
import { m0006 } from '../../../src/core/db/migrations/0006_dialog360_collector';
import { tempDir } from '../../helpers/core';

it('0006 creates templates, their buttons, collector tokens and the single collector state row', () => {
  const db = new Database(path.join(tempDir(), 'db.sqlite'));
  db.pragma('foreign_keys = ON');
  migrate(db, [m0001, m0006]);
  db.prepare(
    "INSERT INTO templates (phone_number_id, name, language, components, synced_at) VALUES ('p', 'promo', 'en', '[]', 1)",
  ).run();
  db.prepare(
    "INSERT INTO template_buttons (phone_number_id, template_name, language, idx, type, text) VALUES ('p', 'promo', 'en', 0, 'QUICK_REPLY', 'Yes')",
  ).run();
  // A button must belong to a stored template, and goes with it.
  expect(() =>
    db
      .prepare(
        "INSERT INTO template_buttons (phone_number_id, template_name, language, idx, type, text) VALUES ('p', 'other', 'en', 0, 'QUICK_REPLY', 'No')",
      )
      .run(),
  ).toThrow(/FOREIGN KEY/);
  db.prepare("DELETE FROM templates WHERE name = 'promo'").run();
  expect(db.prepare('SELECT COUNT(*) AS n FROM template_buttons').get()).toEqual({ n: 0 });

  db.prepare("INSERT INTO collector_tokens (id, hash, created_at) VALUES ('a', x'01', 1)").run();
  expect(() =>
    db.prepare("INSERT INTO collector_tokens (id, hash, created_at) VALUES ('b', x'01', 1)").run(),
  ).toThrow(/UNIQUE/);
  db.prepare(
    "INSERT INTO collector_state (id, url, interval_minutes) VALUES (1, 'https://c.example', 15)",
  ).run();
  expect(() =>
    db
      .prepare("INSERT INTO collector_state (id, url, interval_minutes) VALUES (2, 'https://c.example', 15)")
      .run(),
  ).toThrow(/CHECK/);
  db.close();
});

it('0006 logs rows inserted at a rowid a delete freed (the collector feed serves them again)', () => {
  const db = new Database(path.join(tempDir(), 'db.sqlite'));
  migrate(db, [m0001, m0006]);
  const insert = db.prepare(
    "INSERT INTO raw_payloads (sha256, received_at, origin, format, size) VALUES (randomblob(32), 1, 'webhook', 'cloud', 1) RETURNING id",
  );
  const ids = [1, 2, 3].map(() => (insert.get() as { id: number }).id);
  expect(db.prepare('SELECT COUNT(*) AS n FROM sync_reissued').get()).toEqual({ n: 0 });
  db.prepare('DELETE FROM raw_payloads WHERE id = ?').run(ids[2]);
  const reused = (insert.get() as { id: number }).id;
  expect(reused).toBe(ids[2]);
  const beyond = (insert.get() as { id: number }).id;
  expect(db.prepare('SELECT kind, row FROM sync_reissued').all()).toEqual([{ kind: 'p', row: reused }]);
  expect(beyond).toBeGreaterThan(reused);
  db.prepare(
    "INSERT INTO external_events (id, action, contact_id, ts, received_at, origin) VALUES ('a', 'x', '1', 1, 1, 'webhook')",
  ).run();
  db.prepare("DELETE FROM external_events WHERE id = 'a'").run();
  db.prepare(
    "INSERT INTO external_events (id, action, contact_id, ts, received_at, origin) VALUES ('b', 'x', '1', 1, 1, 'webhook')",
  ).run();
  expect(db.prepare("SELECT kind FROM sync_reissued WHERE kind = 'e'").all()).toEqual([{ kind: 'e' }]);
  db.close();
});
