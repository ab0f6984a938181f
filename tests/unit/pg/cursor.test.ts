import { describe, expect, it } from 'vitest';
import { decodePgCursor, encodePgCursor, type PgCursor } from '../../../src/core/pg/feed';

// The PostgreSQL feed's cursor: opaque to desktops, exact for the collector, refused with a 400 when it is
// not one of ours (a SQLite collector's cursor included), and still valid after a kind is added to the feed.
describe('PostgreSQL feed cursor', () => {
  const c: PgCursor = {
    x: ['12', 3],
    p: ['18446744073709551615', 9007199254740991],
    e: ['0', 0],
    o: ['7', 1],
    c: ['9', 4],
  };
  const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

  it('round-trips every position, xid8 beyond 2^53 included', () => {
    expect(decodePgCursor(encodePgCursor(c))).toEqual(c);
    expect(decodePgCursor('')).toBeNull();
  });

  it('a cursor issued before a kind was added starts that kind at the beginning', () => {
    expect(decodePgCursor(encode(['pg1', '12', 3, '40', 5]))).toEqual({
      x: ['12', 3],
      p: ['40', 5],
      e: ['0', 0],
      o: ['0', 0],
      c: ['0', 0],
    });
    // Issued before the outbox was served: its walk starts at the beginning.
    expect(decodePgCursor(encode(['pg1', '1', 1, '2', 2, '3', 3, '4', 4]))).toMatchObject({
      o: ['4', 4],
      c: ['0', 0],
    });
  });

  it.each([
    ['garbage', 'garbage'],
    ['a SQLite collector cursor', encode([1, 2, 3, 0, 0, 0])],
    ['a negative sequence', encode(['pg1', '1', -1])],
    ['an xid that is no number', encode(['pg1', '1x', 1])],
    ['too many positions', encode(['pg1', ...Array(12).fill('1')])],
  ])('refuses %s', (_name, text) => {
    expect(() => decodePgCursor(text)).toThrow(
      expect.objectContaining({ code: 'invalid_argument', field: 'after' }),
    );
  });
});
