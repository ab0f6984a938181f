import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrate } from '../../../src/core/db/migrate';
import { m0001 } from '../../../src/core/db/migrations/0001_raw';
import { m0009 } from '../../../src/core/db/migrations/0009_real_payloads';
import { tempDir } from '../../helpers/core';

it('0009 keeps group ids, group status participants, delivery errors and number changes', () => {
  const db = new Database(path.join(tempDir(), 'db.sqlite'));
  db.pragma('foreign_keys = ON');
  migrate(db, [m0001, m0009]);
  db.prepare(
    "INSERT INTO messages (id, phone_number_id, contact_id, direction, ts, type, group_id) VALUES ('m', 'p', 'c', 'in', 1, 'text', 'G')",
  ).run();
  db.prepare(
    "INSERT INTO statuses (message_id, status, ts, recipient_id, recipient_type, recipient_participant_id, recipient_participant_user_id) VALUES ('s', 'read', 1, 'G', 'group', '49151', 'US.1')",
  ).run();
  const raw = db
    .prepare(
      "INSERT INTO raw_payloads (sha256, received_at, origin, format, size) VALUES (x'01', 1, 'webhook', 'cloud', 1) RETURNING id",
    )
    .pluck()
    .get() as number;
  db.prepare("INSERT INTO webhook_errors (raw_payload_id, idx, code) VALUES (?, 0, '131000')").run(raw);
  expect(() => db.prepare('INSERT INTO webhook_errors (raw_payload_id, idx) VALUES (?, 0)').run(raw)).toThrow(
    /UNIQUE/,
  );
  // Errors go with their payload.
  db.prepare('DELETE FROM raw_payloads WHERE id = ?').run(raw);
  expect(db.prepare('SELECT count(*) FROM webhook_errors').pluck().get()).toBe(0);
  db.prepare("INSERT INTO contact_number_changes (old_id, new_id, ts) VALUES ('1', '2', 5)").run();
  expect(() =>
    db.prepare("INSERT INTO contact_number_changes (old_id, new_id, ts) VALUES ('1', '3', 6)").run(),
  ).toThrow(/UNIQUE|PRIMARY/);
  expect(() => db.prepare("INSERT INTO contact_number_changes (old_id, ts) VALUES ('4', 6)").run()).toThrow(
    /NOT NULL/,
  );
  db.close();
});

it('0009 fills the reply name/title of Flow completions and the text of edits stored before', () => {
  const db = new Database(path.join(tempDir(), 'db.sqlite'));
  migrate(db, [m0001]);
  const ins = db.prepare(
    "INSERT INTO messages (id, phone_number_id, contact_id, direction, ts, type, interactive_type, extra) VALUES (?, 'p', 'c', 'in', 1, ?, ?, ?)",
  );
  ins.run(
    'f',
    'interactive',
    'nfm_reply',
    JSON.stringify({ interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent' } } }),
  );
  ins.run(
    'e',
    'edit',
    null,
    JSON.stringify({ edit: { original_message_id: 'x', message: { text: { body: 'new' } } } }),
  );
  ins.run('bad', 'edit', null, 'not json');
  migrate(db, [m0001, m0009]);
  const rows = db
    .prepare('SELECT id, text, interactive_id, interactive_title FROM messages ORDER BY id')
    .all();
  expect(rows).toEqual([
    { id: 'bad', text: null, interactive_id: null, interactive_title: null },
    { id: 'e', text: 'new', interactive_id: null, interactive_title: null },
    { id: 'f', text: 'Sent', interactive_id: 'flow', interactive_title: 'Sent' },
  ]);
  db.close();
});
