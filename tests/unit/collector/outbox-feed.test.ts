import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Cursor,
  decodeCursor,
  encodeCursor,
  type FeedItem,
  readPage,
  remainingAfter,
} from '../../../src/core/collector/feed';
import { type Db, openDatabase } from '../../../src/core/db/open';
import { ingestPayloads } from '../../../src/core/ingest/ingest';
import { tempDir } from '../../helpers/core';
import { insertOutboxRow, setOutboxState } from '../../helpers/outbox-rows';
import { textDelivery } from '../../helpers/webhook';

// The conversions outbox in the collector feed (capi_outbox walked by seq): each row's current state,
// again after every change, once per change, whatever the page size and wherever a desktop resumes.

function collectorDb(): Db {
  const db = openDatabase(path.join(tempDir(), 'db.sqlite'));
  ingestPayloads(db, [
    {
      body: textDelivery({
        phoneNumberId: '5550001',
        waId: '4915100000001',
        id: 'wamid.a',
        ts: 1_764_000_000,
        body: 'hi',
      }),
      origin: 'webhook',
    },
  ]);
  return db;
}

const outboxLines = (items: FeedItem[]) =>
  items.flatMap((i) => (i.type === 'outbox' ? [`${i.outbox.conversation}:${i.outbox.state}`] : []));

/** Walks the feed from `after` to its end in pages of `limit`, resuming from each page's cursor. */
function walk(db: Db, after: Cursor | null, limit: number, between?: (page: number) => void) {
  const items: FeedItem[] = [];
  let cursor = after;
  for (let page = 0; ; page++) {
    const p = readPage(db, cursor, limit);
    items.push(...p.items);
    cursor = decodeCursor(p.cursor);
    between?.(page);
    if (!p.more) return { items, cursor: cursor! };
    if (page > 100) throw new Error('the feed does not end');
  }
}

describe('collector feed: conversions outbox', () => {
  it('serves every row after the raw rows, and each later change of a row once, across pages and resumes', () => {
    const db = collectorDb();
    const ids = ['c1', 'c2', 'c3', 'c4', 'c5'].map((c) => insertOutboxRow(db, { conversation: c }));
    expect(remainingAfter(db, null)).toBe(6);

    // Pages of two: between pages c1 (already served) is sent and c4 (not served yet) fails.
    const first = walk(db, null, 2, (page) => {
      if (page === 0) {
        setOutboxState(db, ids[0]!, 'sent');
        setOutboxState(db, ids[3]!, 'failed');
      }
    });
    expect(first.items[0]?.type).toBe('payload');
    const lines = outboxLines(first.items);
    // c1 pending (first page), then its change; c4 only in its latest state; the rest once each.
    expect(lines).toEqual(['c1:pending', 'c2:pending', 'c3:pending', 'c5:pending', 'c1:sent', 'c4:failed']);
    expect(remainingAfter(db, first.cursor)).toBe(0);
    expect(readPage(db, first.cursor, 10).items).toEqual([]);

    // A desktop that resumes later gets exactly the rows changed since, in the order of their changes.
    setOutboxState(db, ids[4]!, 'sent');
    setOutboxState(db, ids[3]!, 'sent');
    setOutboxState(db, ids[4]!, 'sent', 'again'); // a second change of one row: served once, as it is now
    expect(remainingAfter(db, first.cursor)).toBe(2);
    const resumed = walk(db, first.cursor, 1);
    expect(outboxLines(resumed.items)).toEqual(['c4:sent', 'c5:sent']);
    const served = resumed.items.find((i) => i.type === 'outbox' && i.outbox.conversation === 'c5');
    expect(served).toMatchObject({ outbox: { event_id: ids[4], reason: 'again', state: 'sent' } });
    // The click id, the contact, and this side's origin and seq, never leave the collector.
    expect(Object.keys((served as { outbox: object }).outbox)).not.toContain('ctwa_clid');
    expect(Object.keys((served as { outbox: object }).outbox)).not.toContain('contact_id');
    expect(Object.keys((served as { outbox: object }).outbox)).not.toContain('seq');
    db.close();
  });

  it('a limit filled by outbox rows says there is more, and every item carries the cursor after it', () => {
    const db = collectorDb();
    for (const c of ['a', 'b', 'c']) insertOutboxRow(db, { conversation: c });
    const page = readPage(db, null, 2);
    expect(page).toMatchObject({ more: true });
    expect(page.items.map((i) => i.type)).toEqual(['payload', 'outbox']);
    // Resuming from the outbox item's own cursor starts after it.
    const next = readPage(db, decodeCursor(page.items[1]!.cursor), 10);
    expect(outboxLines(next.items)).toEqual(['b:pending', 'c:pending']);
    db.close();
  });

  it('cursors issued before the outbox was served decode, and start its walk at the beginning', () => {
    const db = collectorDb();
    insertOutboxRow(db, { conversation: 'c1' });
    insertOutboxRow(db, { conversation: 'c2' });
    const five = Buffer.from(JSON.stringify([1, 0, 0, 0, 0])).toString('base64url');
    const four = Buffer.from(JSON.stringify([1, 0, 0, 0])).toString('base64url');
    for (const old of [five, four]) {
      expect(decodeCursor(old)).toMatchObject({ p: 1, c: 0 });
      expect(outboxLines(readPage(db, decodeCursor(old), 10).items)).toEqual(['c1:pending', 'c2:pending']);
    }
    const c = { p: 1, e: 2, o: 3, r: 4, x: 5, c: 6 };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    const seven = Buffer.from(JSON.stringify([1, 0, 0, 0, 0, 0, 0])).toString('base64url');
    expect(() => decodeCursor(seven)).toThrow(/not a cursor/);
    const negative = Buffer.from(JSON.stringify([1, 0, 0, 0, 0, -1])).toString('base64url');
    expect(() => decodeCursor(negative)).toThrow(/not a cursor/);
    db.close();
  });
});
