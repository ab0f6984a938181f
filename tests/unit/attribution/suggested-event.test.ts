import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ReportContext } from '../../../src/core/attribution/report/context';
import { type Ext, feed, type Msg, makeDb, NOW, PHONE, PHONE2, TZ, t } from './feed';

// A report without a requested event shows the suggested one, found from the leads of a few events of the
// first kinds (context.ts, suggestedEvent). For random data it must be the suggestion of the full event list
// (events.list, the dashboard's picker): same rule, on both counting paths, for one number and All numbers.

const BASE = t('2026-03-01 00:00');
const scenario = fc.record({
  msgs: fc.array(
    fc.record({
      contact: fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5'),
      phone: fc.constantFrom(PHONE, PHONE2),
      day: fc.integer({ min: 0, max: 40 }),
      kind: fc.constantFrom('text', 'button', 'list'),
      n: fc.integer({ min: 0, max: 3 }),
    }),
    { maxLength: 30 },
  ),
  exts: fc.array(
    fc.record({
      contact: fc.constantFrom('c1', 'c2', 'c3', 'c9'),
      day: fc.integer({ min: -2, max: 42 }),
      action: fc.constantFrom('Purchase', 'Lead', 'Refund'),
    }),
    { maxLength: 8 },
  ),
});
const RANGES = [
  { from: '2026-03-01', to: '2026-03-31' },
  { from: '2026-03-20', to: '2026-04-10' },
  { from: '2026-04-05', to: '2026-04-30' },
];

it('the suggested event of a report is the suggestion of the full event list', () => {
  fc.assert(
    fc.property(scenario, ({ msgs, exts }) => {
      const db = makeDb();
      const messages: Msg[] = msgs.map((m, i) => {
        const base = { id: `m${i}`, ts: BASE + m.day * 86_400 + i * 60, contact: m.contact, phone: m.phone };
        if (m.kind === 'button') return { ...base, button: { text: m.n % 2 ? 'Book now' : 'Yes' } };
        if (m.kind === 'list')
          return {
            ...base,
            interactive: { type: 'list_reply' as const, id: `r${m.n}`, title: `Plan ${m.n}` },
          };
        return { ...base, text: ['hi', 'yes', 'price?', 'thanks'][m.n]! };
      });
      const events: Ext[] = exts.map((e, i) => ({
        id: `e${i}`,
        action: e.action,
        contact: e.contact,
        ts: BASE + e.day * 86_400 + 3600,
      }));
      feed(db, { messages, events });
      for (const range of RANGES)
        for (const phone of [PHONE, PHONE2, 'all'])
          for (const forceExact of [false, true]) {
            const ctx = () => new ReportContext(db, phone, range, TZ, { now: NOW, forceExact });
            expect(ctx().selectEvent(undefined)?.id ?? null).toBe(ctx().availableEvents().suggested);
          }
      db.close();
    }),
    { numRuns: 40 },
  );
});
