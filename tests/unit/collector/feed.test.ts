import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, readPage, remainingAfter } from '../../../src/core/collector/feed';
import { openDatabase } from '../../../src/core/db/open';
import { eraseContact, erasureHash } from '../../../src/core/ingest/erase';
import { ingestPayloads } from '../../../src/core/ingest/ingest';
import { tempDir } from '../../helpers/core';
import { textDelivery } from '../../helpers/webhook';

// The feed's erasure log (migration 0008) at the level of pages and cursors; sync.test.ts covers it
// end to end over HTTP.

const text = (i: number, waId: string) =>
  textDelivery({
    phoneNumberId: '1000000001',
    waId,
    id: `wamid.${i}`,
    ts: 1_764_000_000 + i,
    body: `hi ${i}`,
  });

function collectorDb() {
  const db = openDatabase(path.join(tempDir(), 'db.sqlite'));
  ingestPayloads(
    db,
    [0, 1, 2].map((i) => ({ body: text(i, `49170000000${i}`), origin: 'webhook' as const })),
  );
  return db;
}

describe('collector feed: erasures', () => {
  it('serves erasures after the cursor before any row, as hashes, and counts them as remaining', () => {
    const db = collectorDb();
    const end = readPage(db, null, 100);
    expect(end.items.map((i) => i.type)).toEqual(['payload', 'payload', 'payload']);
    expect(eraseContact(db, '+49 170 000 0001').messages).toBe(1);
    ingestPayloads(db, [{ body: text(3, '491700000001'), origin: 'webhook' }]);
    const after = decodeCursor(end.cursor);
    expect(remainingAfter(db, after)).toBe(2);
    const page = readPage(db, after, 100);
    expect(page.items.map((i) => i.type)).toEqual(['erasure', 'payload']);
    expect(page.items[0]).toMatchObject({ contact: erasureHash('491700000001').toString('hex') });
    expect(JSON.stringify(page.items[0])).not.toContain('491700000001');
    // A limit that the erasures fill says there is more, and the next page resumes at the row.
    const first = readPage(db, after, 1);
    expect(first).toMatchObject({ more: true, items: [{ type: 'erasure' }] });
    expect(readPage(db, decodeCursor(first.cursor), 100).items.map((i) => i.type)).toEqual(['payload']);
    db.close();
  });

  it('a desktop starting from nothing gets no erasure; a cursor issued before the log gets every logged one', () => {
    const db = collectorDb();
    eraseContact(db, '491700000002');
    expect(readPage(db, null, 100).items.map((i) => i.type)).toEqual(['payload', 'payload']);
    expect(remainingAfter(db, null)).toBe(2);
    // The four-position cursor of an earlier version: rowids per table and the reissue log.
    const old = Buffer.from(JSON.stringify([3, 0, 0, 0])).toString('base64url');
    expect(decodeCursor(old)).toEqual({ p: 3, e: 0, o: 0, r: 0, x: 0, c: 0 });
    expect(readPage(db, decodeCursor(old), 100).items.map((i) => i.type)).toEqual(['erasure']);
    expect(decodeCursor(encodeCursor({ p: 1, e: 2, o: 3, r: 4, x: 5, c: 6 }))).toEqual({
      p: 1,
      e: 2,
      o: 3,
      r: 4,
      x: 5,
      c: 6,
    });
    expect(() => decodeCursor(Buffer.from('[1,2,3]').toString('base64url'))).toThrow(/not a cursor/);
    db.close();
  });
});
