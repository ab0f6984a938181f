import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrate } from '../../../src/core/db/migrate';
import { m0010 } from '../../../src/core/db/migrations/0010_conversions_outbox';
import { tempDir } from '../../helpers/core';

it('0010 keeps one live outbox entry per (occurrence, Meta name) and only the known states', () => {
  const db = new Database(path.join(tempDir(), 'db.sqlite'));
  migrate(db, [m0010]);
  const put = db.prepare(
    `INSERT INTO capi_outbox (event_id, conversation, phone_number_id, source_key, event_key, meta_event, occurrence,
       event_time, state, created_at, updated_at) VALUES (?, ?, '1000000001', 'ad:77', 'button:Book now', ?, ?, 1, ?, 0, 0)`,
  );
  put.run('e1', 'wamid.A', 'LeadSubmitted', 'wamid.A2', 'sent');
  // The same occurrence under another conversation (attribution moved it): refused while e1 is live.
  expect(() => put.run('e2', 'wamid.B', 'LeadSubmitted', 'wamid.A2', 'pending')).toThrow(/UNIQUE/);
  // Under another Meta name it is another event; withdrawn entries do not hold the slot.
  put.run('e3', 'wamid.B', 'Purchase', 'wamid.A2', 'pending');
  put.run('e4', 'wamid.C', 'LeadSubmitted', 'x1', 'withdrawn');
  put.run('e5', 'wamid.D', 'LeadSubmitted', 'x1', 'pending');
  expect(() => put.run('e6', 'wamid.E', 'LeadSubmitted', 'x9', 'maybe')).toThrow(/CHECK/);
  db.prepare("INSERT INTO ad_lead_changes VALUES ('wamid.A'), ('wamid.A') ON CONFLICT DO NOTHING").run();
  expect(db.prepare('SELECT COUNT(*) FROM ad_lead_changes').pluck().get()).toBe(1);
  db.close();
});
