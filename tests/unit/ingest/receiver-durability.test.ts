import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../../src/core/db/open';
import { hashSecret } from '../../../src/core/ingest/channels';
import { receiveExternalEvent, receiveWebhook } from '../../../src/core/ingest/receiver';
import { tempDir, testContext } from '../../helpers/core';
import { textDelivery } from '../../helpers/webhook';

// Issue 14, item 11: a receiver acknowledges only what has reached the disk. In WAL mode that takes
// synchronous=FULL on the connection that commits (NORMAL syncs the WAL at checkpoints only:
// https://www.sqlite.org/pragma.html#pragma_synchronous). 0 OFF, 1 NORMAL, 2 FULL.

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function workspace(): Db {
  const db = openDatabase(path.join(tempDir('insights-durable-'), 'insights.sqlite'));
  dbs.push(db);
  db.prepare(
    "INSERT INTO channels (phone_number_id, name, secret_hash, has_api_key, created_at) VALUES ('1234567890', NULL, ?, 0, 0)",
  ).run(hashSecret('s'));
  return db;
}

const synchronous = (db: Db) => db.pragma('synchronous', { simple: true });

describe('receiver durability', () => {
  it('a webhook is acknowledged after a commit on a synchronous=FULL connection', async () => {
    const db = workspace();
    expect(synchronous(db)).toBe(1); // what every other connection uses
    const out = await receiveWebhook(
      {
        channel: '1234567890',
        secretHash: hashSecret('s').toString('hex'),
        body: JSON.stringify(
          textDelivery({
            phoneNumberId: '1234567890',
            waId: '4915123456789',
            id: 'wamid.D',
            ts: 1_764_000_000,
            body: 'hi',
          }),
        ),
        contentType: 'application/json',
        receivedAt: Date.now(),
      },
      testContext(db, tempDir()),
    );
    expect(out.status).toBe(200);
    expect(synchronous(db)).toBe(2);
    expect(db.prepare("SELECT count(*) AS n FROM messages WHERE id = 'wamid.D'").get()).toEqual({ n: 1 });
  });

  it('so is an external event', () => {
    const db = workspace();
    db.prepare(
      "INSERT INTO api_keys (id, name, key_hash, prefix, created_at) VALUES ('k', NULL, ?, 'ik_', 0)",
    ).run(hashSecret('ik_key'));
    receiveExternalEvent(
      {
        keyHash: hashSecret('ik_key').toString('hex'),
        clientId: 'c',
        event: { event_id: 'e1', action: 'Purchase', timestamp: 1_764_000_000, lead_phone: '4915123456789' },
        idempotencyKey: null,
        receivedAt: Date.now(),
      },
      testContext(db, tempDir()),
    );
    expect(synchronous(db)).toBe(2);
  });
});
