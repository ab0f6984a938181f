import fc from 'fast-check';
import { expect, it } from 'vitest';
import { activePrefix } from '../../../src/core/attribution/tables';
import { ALL_NUMBERS } from '../../../src/shared/all-numbers';
import type { Report } from '../../../src/shared/contract/report';
import { conversations, feed, makeDb, PHONE, PHONE2, report, t } from './feed';

// All numbers over random threads on two numbers: the summary path equals the exact path; counts are the
// numbers' sums per source; contacts are distinct across numbers (counted here from the conversations
// themselves); the contacts of several numbers that live derivation keeps by triggers are exactly those.

const BASE = t('2026-03-01 00:00');
const msgArb = fc.record({
  contact: fc.constantFrom('c1', 'c2', 'c3', 'c4'),
  phone: fc.constantFrom(PHONE, PHONE2),
  ts: fc.integer({ min: 0, max: 40 * 86_400 }),
  text: fc.constantFrom('hi', 'promo please', 'yes', 'promo'),
  ad: fc.constantFrom(null, null, '77', '88'),
});
/** A workspace with the keyword `promo`, fed the drawn messages. */
function fedDb(specs: { contact: string; phone: string; ts: number; text: string; ad: string | null }[]) {
  const db = makeDb({ rollupThreshold: 1 });
  db.prepare("INSERT INTO attr_keywords VALUES ('promo', 0)").run();
  feed(db, {
    messages: specs.map((s, i) => ({
      id: `m${String(i).padStart(3, '0')}`,
      ts: BASE + s.ts,
      contact: s.contact,
      phone: s.phone,
      text: s.text,
      ...(s.ad ? { referral: { source_id: s.ad } } : {}),
    })),
  });
  return db;
}

const RANGES = [
  { from: '2026-03-01', to: '2026-03-31' },
  { from: '2026-03-10', to: '2026-04-15' },
  { from: '2026-03-20', to: '2026-03-26' },
];

type Conv = { start: number; source: string; contact: string };

const inRangeOf = (convs: Conv[], range: { from: string; to: string }) => {
  const from = t(`${range.from} 00:00`);
  const to = t(`${range.to} 00:00`) + 86_400;
  return convs.filter((c) => c.start >= from && c.start < to);
};

/**
 * Each All-numbers row counts the range's conversations under its source once, its contacts distinct
 * across numbers, and the leads the numbers' own reports give it.
 */
function expectRowsCounted(all: Report, perNumber: Report[], inRange: Conv[]): void {
  for (const row of all.sources) {
    const mine = inRange.filter((c) => c.source === row.id);
    expect([row.id, row.conversations, row.contacts]).toEqual([
      row.id,
      mine.length,
      new Set(mine.map((c) => c.contact)).size,
    ]);
    const sum = perNumber
      .map((r) => r.sources.find((s) => s.id === row.id)?.leads ?? 0)
      .reduce((a, b) => a + b, 0);
    expect(row.leads).toBe(sum);
  }
}

it('All numbers: sums per source, contacts distinct across numbers, summary = exact', () => {
  fc.assert(
    fc.property(fc.array(msgArb, { minLength: 1, maxLength: 30 }), (specs) => {
      const db = fedDb(specs);
      const convs = conversations(db);
      const several = [
        ...new Set(
          convs
            .map((c) => c.contact)
            .filter((k) => new Set(convs.filter((c) => c.contact === k).map((c) => c.phone)).size > 1),
        ),
      ].sort();
      const p = activePrefix(db);
      expect(db.prepare(`SELECT contact FROM ${p}multi_contacts ORDER BY 1`).pluck().all()).toEqual(several);
      for (const range of RANGES) {
        const q = { phone: ALL_NUMBERS, range, event: 'text:yes' };
        const all = report(db, q);
        expect(report(db, q, { forceExact: true })).toEqual(all);
        const perNumber = [PHONE, PHONE2].map((phone) => report(db, { ...q, phone }));
        expect(all.totals.conversations).toBe(
          perNumber[0]!.totals.conversations + perNumber[1]!.totals.conversations,
        );
        expect(all.totals.leads).toBe(perNumber[0]!.totals.leads + perNumber[1]!.totals.leads);
        const inRange = inRangeOf(convs, range);
        expect(all.totals.contacts).toBe(new Set(inRange.map((c) => c.contact)).size);
        expectRowsCounted(all, perNumber, inRange);
      }
      db.close();
    }),
    { numRuns: 40 },
  );
});

it('All numbers in every attribution model: the model moves rows, never totals; each row counts its conversations once across numbers', () => {
  fc.assert(
    fc.property(fc.array(msgArb, { minLength: 1, maxLength: 30 }), (specs) => {
      const db = fedDb(specs);
      const p = activePrefix(db);
      for (const [model, column] of [
        ['first_touch', 'ft_source'],
        ['last_paid_touch', 'lpt_source'],
      ] as const) {
        // Each conversation with the source it counts under in this model.
        const convs = db
          .prepare(
            `SELECT c.start_ts AS start, s.key AS source, c.contact FROM ${p}conversations c JOIN ${p}sources s ON s.id = c.${column}`,
          )
          .all() as { start: number; source: string; contact: string }[];
        for (const range of RANGES) {
          const q = { phone: ALL_NUMBERS, range, event: 'text:yes' };
          const byConversation = report(db, q);
          const all = report(db, { ...q, model });
          expect(report(db, { ...q, model }, { forceExact: true })).toEqual(all);
          expect(all.totals).toEqual(byConversation.totals);
          const perNumber = [PHONE, PHONE2].map((phone) => report(db, { ...q, phone, model }));
          expectRowsCounted(all, perNumber, inRangeOf(convs, range));
        }
      }
      db.close();
    }),
    { numRuns: 30 },
  );
});
