import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { blockParams } from '../../../src/core/attribution/report/aggregates';
import { BLOCK_DAYS, WEEK_DAYS } from '../../../src/core/attribution/tables';
import { feed, type Msg, makeDb, PHONE, report, TZ, t } from './feed';

// Per-source counts over 7- and 28-day blocks (derived-cache.ts, BLOCKS): the decomposition of a range
// covers each of its days exactly once, and reports over any range match the conversation-level path.

function daysCovered(from: number, to: number): number[] {
  const p = blockParams(from, to);
  const days: number[] = [];
  const run = (a: number, b: number, size: number) => {
    for (let k = a; k <= b; k++) for (let d = k * size; d < (k + 1) * size; d++) days.push(d);
  };
  run(p.d1!, p.d2!, 1);
  run(p.d3!, p.d4!, 1);
  run(p.w1!, p.w2!, WEEK_DAYS);
  run(p.w3!, p.w4!, WEEK_DAYS);
  run(p.m1!, p.m2!, BLOCK_DAYS);
  return days.sort((a, b) => a - b);
}

describe('block summaries', () => {
  it('split a range into edge days, weeks and 28-day blocks covering each day once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20_000, max: 20_400 }), fc.integer({ min: 0, max: 400 }), (from, len) => {
        const to = from + len;
        expect(daysCovered(from, to)).toEqual(Array.from({ length: len + 1 }, (_, i) => from + i));
      }),
      { numRuns: 500 },
    );
    // A 30-day range reads 28-day blocks or weeks, not 30 days.
    const p = blockParams(20_748, 20_777);
    expect([p.m1, p.m2]).toEqual([741, 741]);
    expect([p.d1, p.d2, p.d3, p.d4]).toEqual([1, 0, 20_776, 20_777]);
  });

  it('give the same sources as the conversation-level path for any range', () => {
    const BASE = t('2026-01-01 09:00');
    const msg = fc.record({
      contact: fc.integer({ min: 0, max: 6 }),
      day: fc.integer({ min: 0, max: 120 }),
      text: fc.constantFrom('hi', 'price?', 'yes', 'hello there'),
      ad: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    });
    const range = fc.tuple(fc.integer({ min: -5, max: 125 }), fc.integer({ min: 0, max: 130 }));
    fc.assert(
      fc.property(
        fc.array(msg, { minLength: 1, maxLength: 60 }),
        fc.array(range, { minLength: 1, maxLength: 6 }),
        (specs, ranges) => {
          const db = makeDb({ rollupThreshold: 1 });
          const messages: Msg[] = specs.map((s, i) => ({
            id: `m${i}`,
            ts: BASE + s.day * 86_400 + i,
            contact: `c${s.contact}`,
            phone: PHONE,
            text: s.text,
            ...(s.ad === undefined ? {} : { referral: { source_id: `ad${s.ad}` } }),
          }));
          feed(db, { messages });
          for (const [start, len] of ranges) {
            const day = (d: number) =>
              DateTime.fromSeconds(BASE, { zone: TZ }).plus({ days: d }).toISODate()!;
            const q = { range: { from: day(start), to: day(start + len) }, event: 'text:yes' };
            const rows = (exact: boolean) =>
              report(db, q, { forceExact: exact }).sources.map(({ id, conversations, contacts, leads }) => ({
                id,
                conversations,
                contacts,
                leads,
              }));
            expect(rows(false)).toEqual(rows(true));
          }
          db.close();
        },
      ),
      { numRuns: 60 },
    );
  });
});
