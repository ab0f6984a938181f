import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivationDeferred } from '../../../src/core/attribution/deferred';
import { rebuildDerived, rebuildNeeded } from '../../../src/core/attribution/rebuild';
import { type Db, openDatabase } from '../../../src/core/db/open';
import { generateDemo } from '../../../src/core/demo/generate';
import { importFiles } from '../../../src/core/ingest/import-files';
import { ingestPayloads, storePrepared } from '../../../src/core/ingest/ingest';
import { preparePayload } from '../../../src/core/ingest/prepare';
import { tempDir, testContext } from '../../helpers/core';
import { derivedRows } from '../../helpers/derived';

// A bulk import stores without deriving and rebuilds once at the end (attribution/deferred.ts). Whatever
// happens meanwhile (deliveries, an interruption, a rebuild), the result must be what deriving every
// chunk as it is stored gives.

let dir: string;
let files: string[];
let late: unknown;
const dbs: Db[] = [];

beforeAll(() => {
  dir = tempDir('insights-bulk-');
  const demo = generateDemo({ seed: 7, now: DateTime.fromISO('2026-11-20T12:00:00Z') });
  const payloads = demo.payloads.slice(0, 1200);
  late = demo.payloads[1200];
  const hooks = path.join(dir, 'hooks.ndjson');
  fs.writeFileSync(hooks, `${payloads.map((p) => JSON.stringify(p)).join('\n')}\n`);
  const events = path.join(dir, 'events.csv');
  fs.writeFileSync(
    events,
    [
      'lead_phone,action,timestamp,revenue_amount,revenue_currency,app_id,event_id',
      ...demo.externalEvents.map((e) =>
        [
          e.leadPhone,
          e.action,
          e.timestamp,
          e.revenue?.amount ?? '',
          e.revenue?.currency ?? '',
          e.appId ?? '',
          e.eventId,
        ].join(','),
      ),
    ].join('\n'),
  );
  files = [hooks, events];
});
afterAll(() => {
  for (const db of dbs) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function openDb(): Db {
  const db = openDatabase(path.join(dir, `db${n++}`, 'insights.sqlite'));
  dbs.push(db);
  return db;
}

const conversations = (db: Db) => db.prepare('SELECT COUNT(*) FROM attr_conversations').pluck().get();

describe('bulk import', () => {
  it('derives exactly what deriving chunk by chunk derives, and leaves nothing pending', async () => {
    const chunked = openDb();
    const bulk = openDb();
    const a = await importFiles(testContext(chunked, dir), { files }, { bulk: false });
    const progress: (number | null)[] = [];
    const b = await importFiles(
      testContext(bulk, dir, { progress: (f) => progress.push(f) }),
      { files },
      { bulk: true },
    );
    expect(b.files).toEqual(a.files);
    expect(a.files[0]!.messages).toBeGreaterThan(1000);
    expect(conversations(bulk)).toBeGreaterThan(100);
    expect(derivedRows(bulk)).toEqual(derivedRows(chunked));
    expect(derivationDeferred(bulk)).toBe(false);
    expect(rebuildNeeded(bulk)).toBe(false);
    // Storing fills the bar up to 60 %, the rebuild the rest; it never goes back.
    expect(progress.at(-1)).toBe(1);
    expect(progress.some((f) => f !== null && f > 0.6 && f < 1)).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
  });

  it('an interrupted bulk import is finished by running it again; until then a rebuild is due', async () => {
    const reference = openDb();
    await importFiles(testContext(reference, dir), { files }, { bulk: false });

    const db = openDb();
    const stop = new AbortController();
    await expect(
      importFiles(
        testContext(db, dir, {
          signal: stop.signal,
          // Cancelled after the first chunk is committed (chunks are the import's transactions).
          yield: async () => stop.abort(),
        }),
        { files },
        { bulk: true },
      ),
    ).rejects.toThrow(/cancelled/);
    expect(db.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBeGreaterThan(0);
    expect(conversations(db)).toBe(0);
    expect(derivationDeferred(db)).toBe(true);
    expect(rebuildNeeded(db)).toBe(true);

    // Run again, even as a plain import: what the first run stored is derived at its end.
    const again = await importFiles(testContext(db, dir), { files }, { bulk: false });
    expect(again.files[0]!.duplicatePayloads).toBeGreaterThan(0);
    expect(derivationDeferred(db)).toBe(false);
    expect(derivedRows(db)).toEqual(derivedRows(reference));
  });

  it('a delivery acknowledged while a bulk import stores is derived at once and kept by its rebuild', async () => {
    const reference = openDb();
    await importFiles(testContext(reference, dir), { files }, { bulk: false });
    ingestPayloads(reference, [{ body: late, origin: 'webhook' }]);

    const db = openDb();
    let delivered = false;
    let derivedAtOnce = 0;
    await importFiles(
      testContext(db, dir, {
        yield: async () => {
          if (delivered) return;
          delivered = true;
          const before = conversations(db) as number;
          ingestPayloads(db, [{ body: late, origin: 'webhook' }]);
          derivedAtOnce = (conversations(db) as number) - before;
        },
      }),
      { files },
      { bulk: true },
    );
    expect(derivedAtOnce).toBe(1);
    expect(derivedRows(db)).toEqual(derivedRows(reference));
  });

  it('nothing is left underived when a bulk chunk is stored while a rebuild runs', async () => {
    const reference = openDb();
    await importFiles(testContext(reference, dir), { files }, { bulk: false });
    ingestPayloads(reference, [{ body: late, origin: 'webhook' }]);

    const db = openDb();
    await importFiles(testContext(db, dir), { files }, { bulk: false });
    let stored = false;
    let loaded = false;
    await rebuildDerived(db, {
      chunk: 50,
      // After the load: the rebuild's scan has passed every thread, so only live derivation can count it.
      progress: (_f, detail) => {
        if (detail === 'Summing up') loaded = true;
      },
      yield: async () => {
        if (stored || !loaded) return;
        stored = true;
        storePrepared(db, [preparePayload({ body: late, origin: 'import' })], { deferDerivation: true });
      },
    });
    expect(stored).toBe(true);
    expect(derivationDeferred(db)).toBe(false);
    expect(derivedRows(db)).toEqual(derivedRows(reference));
  });
});
