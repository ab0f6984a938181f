import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Db, openDatabase } from '../../../src/core/db/open';
import { hashSecret } from '../../../src/core/ingest/channels';
import { receiveExternalEvent, receiveWebhook } from '../../../src/core/ingest/receiver';
import { tempDir, testContext } from '../../helpers/core';
import { textDelivery } from '../../helpers/webhook';

// Issue 14, item 11: a receiver acknowledges only what has reached the disk. With synchronous=NORMAL a
// WAL commit is not synced (https://www.sqlite.org/pragma.html#pragma_synchronous), so the receiver
// syncs the WAL file after its group commit and answers after that sync. Here every fdatasync is held
// until the test releases it: an acknowledgement must wait for a sync of the workspace's -wal file.

const dbs: Db[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const db of dbs.splice(0)) db.close();
});

function workspace(): Db {
  const db = openDatabase(path.join(tempDir('insights-durable-'), 'insights.sqlite'));
  dbs.push(db);
  db.prepare(
    "INSERT INTO channels (phone_number_id, name, secret_hash, has_api_key, created_at) VALUES ('1234567890', NULL, ?, 0, 0)",
  ).run(hashSecret('s'));
  db.prepare(
    "INSERT INTO api_keys (id, name, key_hash, prefix, created_at) VALUES ('k', NULL, ?, 'ik_', 0)",
  ).run(hashSecret('ik_key'));
  return db;
}

/** Holds every fdatasync; `synced` lists the files synced so far, `release` lets the held ones finish. */
function holdSyncs() {
  const held: (() => void)[] = [];
  const synced: string[] = [];
  const real = fs.fdatasync;
  vi.spyOn(fs, 'fdatasync').mockImplementation(((
    fd: number,
    cb: (err: NodeJS.ErrnoException | null) => void,
  ) => {
    const file = fs.readlinkSync(`/proc/self/fd/${fd}`);
    held.push(() =>
      real(fd, (err) => {
        synced.push(file);
        cb(err);
      }),
    );
  }) as typeof fs.fdatasync);
  return {
    synced,
    held: () => held.length,
    release: () => {
      for (const go of held.splice(0)) go();
    },
  };
}

const settled = async <T>(p: Promise<T>, rounds = 20) => {
  let done = false;
  void p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  for (let i = 0; i < rounds && !done; i++) await new Promise((r) => setTimeout(r, 5));
  return done;
};

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

/** Releases held syncs until the acknowledgement comes. */
async function released<T>(ack: Promise<T>, syncs: { release(): void }): Promise<T> {
  let done = false;
  const out = ack.finally(() => {
    done = true;
  });
  while (!done) {
    syncs.release();
    await new Promise((r) => setTimeout(r, 5));
  }
  return out;
}

describe.skipIf(process.platform !== 'linux')('receiver durability', () => {
  it('a webhook is acknowledged only after its commit was synced to the -wal file', async () => {
    const db = workspace();
    const syncs = holdSyncs();
    const body = textDelivery({
      phoneNumberId: '1234567890',
      waId: '4915123456789',
      id: 'wamid.D',
      ts: 1_764_000_000,
      body: 'hi',
    });
    const ack = receiveWebhook(
      {
        channel: '1234567890',
        secretHash: hashSecret('s').toString('hex'),
        body: JSON.stringify(body),
        contentType: 'application/json',
        receivedAt: Date.now(),
      },
      testContext(db, tempDir()),
    );
    await until(() => syncs.held() > 0); // committed, sync under way
    expect(db.prepare("SELECT count(*) AS n FROM messages WHERE id = 'wamid.D'").get()).toEqual({ n: 1 });
    expect(await settled(ack)).toBe(false); // not acknowledged before the disk has it
    // Released, the WAL sync (then the folder entry of the new WAL file, synced once) lets the ack go.
    expect(await released(ack, syncs)).toEqual({ status: 200 });
    expect(syncs.synced[0]).toBe(`${db.name}-wal`);
  });

  it('so is an external event', async () => {
    const db = workspace();
    const syncs = holdSyncs();
    const ack = receiveExternalEvent(
      {
        keyHash: hashSecret('ik_key').toString('hex'),
        clientId: 'c',
        event: { event_id: 'e1', action: 'Purchase', timestamp: 1_764_000_000, lead_phone: '4915123456789' },
        idempotencyKey: null,
        receivedAt: Date.now(),
      },
      testContext(db, tempDir()),
    );
    await until(() => syncs.held() > 0);
    expect(await settled(Promise.resolve(ack))).toBe(false);
    expect((await released(ack, syncs)).duplicate).toBe(false);
    expect(syncs.synced[0]).toBe(`${db.name}-wal`);
  });
});
