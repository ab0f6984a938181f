import fs from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../../src/core/db/open';
import { importFiles } from '../../../src/core/ingest/import-files';
import type { PreparedBatch, PrepareJob } from '../../../src/core/ingest/prepare-batches';
import { preparedBatches } from '../../../src/core/ingest/prepare-pipeline';
import { tempDir, testContext } from '../../helpers/core';

const fixtures = path.join(__dirname, '../../fixtures/webhooks');
const fixture = (format: 'cloud' | 'onprem', name: string): unknown =>
  JSON.parse(fs.readFileSync(path.join(fixtures, format, `${name}.json`), 'utf8'));

let dir: string;
let file: string;
const dbs: Db[] = [];

beforeAll(() => {
  dir = tempDir('insights-prepare-');
  const lines = [
    JSON.stringify(fixture('cloud', 'text')),
    '',
    '{"object": "whatsapp_business_account", "entry": [',
    JSON.stringify(fixture('cloud', 'interactive_button_reply')),
    JSON.stringify({ hello: 1 }),
    JSON.stringify(fixture('cloud', 'referral')),
    JSON.stringify(fixture('cloud', 'status_read')),
    JSON.stringify(fixture('cloud', 'text')), // the same body again
    JSON.stringify(fixture('onprem', 'image')), // On-Premise without a channel: rejected
  ];
  file = path.join(dir, 'hooks.ndjson');
  fs.writeFileSync(file, `${lines.join('\n')}\n{"truncated":`);
});
afterAll(() => {
  for (const db of dbs) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function collect(job: PrepareJob, inWorker: boolean): Promise<PreparedBatch[]> {
  const out: PreparedBatch[] = [];
  for await (const b of preparedBatches(job, inWorker)) out.push(b);
  return out;
}

/** Byte arrays as hex and rows parsed, so what crossed threads compares with inline results. */
const comparable = (v: unknown, key?: string): unknown =>
  key === 'rows' && typeof v === 'string'
    ? comparable(JSON.parse(v))
    : v instanceof Uint8Array
      ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')
      : Array.isArray(v)
        ? v.map((x) => comparable(x))
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, comparable(x, k)]))
          : v;

const context = (db: Db) => testContext(db, dir);

function openDb(name: string): Db {
  const db = openDatabase(path.join(dir, name, 'insights.sqlite'));
  dbs.push(db);
  return db;
}

describe('prepare pipeline', () => {
  it('the preparing thread hands over the same batches as preparing inline, with line numbers', async () => {
    const job: PrepareJob = { file, layout: 'ndjson', channel: null, batchRows: 2 };
    const inline = await collect(job, false);
    const threaded = await collect(job, true);
    expect(comparable(threaded)).toEqual(comparable(inline));
    expect(inline.flatMap((b) => b.items.map((i) => i.line))).toEqual([1, 4, 5, 6, 7, 8, 9]);
    expect(inline.flatMap((b) => b.errors.map((e) => e.line))).toEqual([3, 10]);
    const rejected = inline.flatMap((b) => b.items.filter((i) => !i.prepared.ok).map((i) => i.line));
    expect(rejected).toEqual([5, 9]);
    expect(inline.at(-1)!.bytesRead).toBe(fs.statSync(file).size);
  });

  it('goes on inline, without repeating or losing a line, when a line is too large for the thread', async () => {
    const big = fixture('cloud', 'text') as {
      entry: { changes: { value: { messages: { text: { body: string } }[] } }[] }[];
    };
    big.entry[0]!.changes[0]!.value.messages[0]!.text.body = 'x'.repeat(4.5 * 1024 * 1024); // under the 5 MB line limit
    const huge = path.join(dir, 'huge.ndjson');
    const small = (name: string) => JSON.stringify(fixture('cloud', name));
    fs.writeFileSync(
      huge,
      [small('button'), '{bad', small('image'), JSON.stringify(big), small('video'), '{bad'].join('\n'),
    );
    const job: PrepareJob = { file: huge, layout: 'ndjson', channel: null, batchRows: 1 };
    const inline = await collect(job, false);
    const threaded: PreparedBatch[] = [];
    for await (const b of preparedBatches(job, true, 8)) threaded.push(b);
    const lines = (batches: PreparedBatch[]) => ({
      items: batches.flatMap((b) => b.items.map((i) => [i.line, i.prepared.ok])),
      errors: batches.flatMap((b) => b.errors.map((e) => e.line)),
    });
    expect(lines(inline)).toEqual({
      items: [
        [1, true],
        [3, true],
        [4, true],
        [5, true],
      ],
      errors: [2, 6],
    });
    expect(lines(threaded)).toEqual(lines(inline));
  });

  it('stops the preparing thread when the reader leaves early', async () => {
    const job: PrepareJob = { file, layout: 'ndjson', channel: null, batchRows: 1 };
    const seen: number[] = [];
    for await (const b of preparedBatches(job, true)) {
      seen.push(...b.items.map((i) => i.line));
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([1, 4]);
  });

  it('an import prepared on the second thread stores exactly what an inline one stores', async () => {
    const threadedDb = openDb('threaded');
    const inlineDb = openDb('inline');
    const threaded = await importFiles(context(threadedDb), { files: [file] }, { workerMinBytes: 0 });
    const inline = await importFiles(context(inlineDb), { files: [file] }, { workerMinBytes: Infinity });
    expect(threaded.files).toEqual(inline.files);
    expect(threaded.errors).toEqual(inline.errors);
    expect(threaded.files[0]).toMatchObject({
      payloads: 4,
      duplicatePayloads: 1,
      messages: 3,
      statuses: 1,
      bad: 4,
    });
    const raw = (db: Db) =>
      (
        db.prepare('SELECT sha256, body FROM raw_payloads ORDER BY id').all() as {
          sha256: Buffer;
          body: Buffer;
        }[]
      ).map((r) => [r.sha256.toString('hex'), inflateSync(r.body).toString('utf8')]);
    expect(raw(threadedDb)).toEqual(raw(inlineDb));
    const derived = (db: Db) =>
      db
        .prepare('SELECT contact, start_ts, first_message_id, messages FROM attr_conversations ORDER BY id')
        .all();
    expect(derived(threadedDb)).toEqual(derived(inlineDb));
    expect(derived(threadedDb).length).toBeGreaterThan(0);
    // The import checkpoints less often and caches less while it runs, then gives the connection its settings back.
    expect(threadedDb.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(threadedDb.pragma('cache_size', { simple: true })).toBe(-65536);
  });
});
