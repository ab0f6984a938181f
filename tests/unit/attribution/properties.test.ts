import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rebuildDerived } from '../../../src/core/attribution/rebuild';
import { derivedRows } from '../../helpers/derived';
import { type Ext, feed, type Msg, makeDb, PHONE, PHONE2, report, t } from './feed';

// Property tests over random threads: totals vs sources, leads ≤ conversations, feeding order, and the
// summary path vs the exact conversation-level path — in every attribution model, whose totals are the same.

const BASE = t('2026-03-01 00:00');
const TEXTS = ['hi', 'Hi!', 'yes', 'price?', 'promo please', 'thanks'];

const msgArb = fc.record({
  contact: fc.constantFrom('c1', 'c2', 'c3', 'c4'),
  phone: fc.constantFrom(PHONE, PHONE, PHONE2),
  ts: fc.integer({ min: 0, max: 40 * 86_400 }),
  kind: fc.constantFrom(
    'text',
    'text',
    'text',
    'button',
    'list',
    'referral',
    'reaction',
    'image',
    'reply',
    'flow',
    'edit',
    'group',
    'errors',
  ),
  text: fc.constantFrom(...TEXTS),
  n: fc.integer({ min: 0, max: 3 }),
});
const extArb = fc.record({
  contact: fc.constantFrom('c1', 'c2', 'c3', 'c5'),
  ts: fc.integer({ min: -2 * 86_400, max: 45 * 86_400 }),
  action: fc.constantFrom('Purchase', 'Lead'),
  amount: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
  currency: fc.constantFrom('USD', 'EUR'),
  appId: fc.constantFrom(undefined, PHONE, PHONE2, '999'),
  // Any other event of the scenario (earlier, later, itself, one that does not exist), so chains and cycles occur.
  previous: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
});

type MsgSpec = typeof msgArb extends fc.Arbitrary<infer T> ? T : never;
type ExtSpec = typeof extArb extends fc.Arbitrary<infer T> ? T : never;

function toMessages(specs: MsgSpec[]): Msg[] {
  return specs.map((s, i) => {
    const base = {
      id: `m${String(i).padStart(3, '0')}`,
      ts: BASE + s.ts,
      contact: s.contact,
      phone: s.phone,
    };
    switch (s.kind) {
      case 'button':
        return { ...base, button: { text: s.n % 2 ? 'Book now' : 'Yes', payload: `P${s.n}` } };
      case 'list':
        return {
          ...base,
          interactive: { type: 'list_reply' as const, id: `row${s.n}`, title: s.n % 2 ? 'Premium' : 'Basic' },
        };
      case 'referral':
        return { ...base, text: s.text, referral: { source_id: `ad${s.n}`, headline: `Headline ${i}` } };
      case 'reaction':
        return { ...base, type: 'reaction' };
      case 'image':
        return { ...base, type: 'image' };
      case 'reply':
        return { ...base, button: { text: 'Interested' }, contextId: `out${s.n}` };
      case 'flow':
        // A Flow completion: out1 is known with a template (flow:spring), out0 … out3 otherwise not.
        return {
          ...base,
          interactive: { type: 'nfm_reply' as const, id: 'flow', title: 'Sent' },
          contextId: `out${s.n}`,
        };
      case 'edit':
        return { ...base, type: 'edit', text: s.text };
      case 'group':
        return { ...base, text: s.text, groupId: 'G1' };
      case 'errors':
        return { ...base, type: 'interactive', hasErrors: true };
      default:
        return { ...base, text: s.text };
    }
  });
}

function toEvents(specs: ExtSpec[]): Ext[] {
  return specs.map((s, i) => ({
    id: `e${String(i).padStart(3, '0')}`,
    eventId: `ev-${i}`,
    action: s.action,
    contact: s.contact,
    ts: BASE + s.ts,
    amount: s.amount === undefined ? undefined : s.amount / 100,
    currency: s.currency,
    appId: s.appId,
    previous: s.previous === undefined ? undefined : `ev-${s.previous}`,
  }));
}

const scenario = fc.record({
  msgs: fc.array(msgArb, { minLength: 1, maxLength: 25 }),
  exts: fc.array(extArb, { maxLength: 8 }),
  window: fc.constantFrom(1, 24, 48),
  rollup: fc.constantFrom(1, 2),
  // The attribution models' lookback in days: the messages span 40 days, so each value cuts differently.
  lookback: fc.constantFrom(1, 7, 90),
});

const RANGES = [
  { from: '2026-03-01', to: '2026-03-31' },
  { from: '2026-03-10', to: '2026-04-15' },
  { from: '2026-03-20', to: '2026-04-30' },
];
const EVENTS = ['ext:Purchase', 'button:Book now', 'text:yes', 'list:Premium', 'flow:spring'];

const MODELS = ['conversation', 'first_touch', 'last_paid_touch'] as const;

function setup(window: number, rollupThreshold = 2, lookback = 90) {
  const db = makeDb({ conversationWindowHours: window, rollupThreshold, attributionLookbackDays: lookback });
  db.prepare("INSERT INTO attr_keywords (keyword, added_at) VALUES ('promo', 0)").run();
  db.prepare(
    "INSERT INTO outgoing_messages (id, template_name, origin) VALUES ('out1', 'spring', 'send-log')",
  ).run();
  return db;
}

function allReports(db: ReturnType<typeof makeDb>, exact = false) {
  return RANGES.flatMap((range) =>
    EVENTS.flatMap((event) =>
      // Every model for two events (one external, with revenue); the conversation model for all.
      (event === 'ext:Purchase' || event === 'text:yes' ? MODELS : MODELS.slice(0, 1)).map((model) =>
        report(db, { range, event, model, funnel: [event, 'text:yes'] }, { forceExact: exact }),
      ),
    ),
  );
}

describe('attribution properties', () => {
  it('totals other than contacts equal the sum of the source rows; leads ≤ conversations', () => {
    fc.assert(
      fc.property(scenario, ({ msgs, exts, window, lookback }) => {
        const db = setup(window, 2, lookback);
        feed(db, { messages: toMessages(msgs), events: toEvents(exts) });
        const reports = allReports(db);
        for (const r of reports) {
          // Every model splits the same totals (Invested included): only the rows differ.
          const byConversation = reports.find(
            (c) => c.model === 'conversation' && c.event?.id === r.event?.id && c.range.from === r.range.from,
          )!;
          expect(r.totals).toEqual(byConversation.totals);
          expect(r.previous).toEqual(byConversation.previous);
          expect(r.series).toEqual(byConversation.series);
          const sum = (f: (s: (typeof r.sources)[number]) => number) =>
            r.sources.reduce((a, s) => a + f(s), 0);
          expect(r.totals.conversations).toBe(sum((s) => s.conversations));
          expect(r.totals.leads).toBe(sum((s) => s.leads));
          if (r.totals.revenue !== null)
            expect(r.totals.revenue).toBeCloseTo(
              sum((s) => s.revenue ?? 0),
              6,
            );
          expect(r.totals.contacts).toBeLessThanOrEqual(sum((s) => s.contacts));
          expect(r.totals.leads).toBeLessThanOrEqual(r.totals.conversations);
          for (const s of r.sources) {
            expect(s.leads).toBeLessThanOrEqual(s.conversations);
            expect(s.contacts).toBeLessThanOrEqual(s.conversations);
          }
          expect(r.series.reduce((a, p) => a + p.conversations, 0)).toBe(r.totals.conversations);
          expect(r.series.reduce((a, p) => a + p.leads, 0)).toBe(r.totals.leads);
        }
        db.close();
      }),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it('any feeding order of the same messages gives the same report, equal to a rebuild and to the exact path', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.integer(), async ({ msgs, exts, window, rollup, lookback }, seed) => {
        const messages = toMessages(msgs);
        const events = toEvents(exts);
        const once = setup(window, rollup, lookback);
        feed(once, { messages, events });
        const expected = allReports(once);

        // One row per delivery, in a shuffled order, messages and events interleaved.
        const items = [...messages.map((m) => ({ m })), ...events.map((e) => ({ e }))];
        const rnd = fc.sample(
          fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }),
          { seed, numRuns: 1 },
        )[0]!;
        const oneByOne = setup(window, rollup, lookback);
        for (const it of rnd) feed(oneByOne, 'm' in it ? { messages: [it.m] } : { events: [it.e] });
        expect(allReports(oneByOne)).toEqual(expected);
        expect(allReports(oneByOne, true)).toEqual(expected);

        // A rebuild (shadow set, bulk-loaded, swap) from the raw rows derives the same rows, summaries
        // included, and so the same report.
        const kept = derivedRows(once);
        once.prepare("INSERT INTO attr_keywords (keyword, added_at) VALUES ('zz-not-used', 0)").run();
        await rebuildDerived(once);
        expect(derivedRows(once)).toEqual(kept);
        expect(allReports(once)).toEqual(expected);
        once.close();
        oneByOne.close();
      }),
      { numRuns: 30, endOnFailure: true },
    );
  });
});
