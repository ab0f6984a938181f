import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReportContext } from '../../../src/core/attribution/report/context';
import { listSources } from '../../../src/core/attribution/report/report';
import { conversationsStartedOf } from '../../../src/shared/rates';
import { feed, type Msg, makeDb, NOW, PHONE, report, t } from './feed';

// A report asked with `sourcesLimit` builds only its first rows; the rest are built when `report.sources`
// asks (docs/architecture.md "Source rows on demand"). Whatever the data and the limit, the first rows are
// the full report's first rows, the rest complete them in order, and every other figure is the full report's.

const TEXTS = ['hi', 'price?', 'promo now', 'hello', 'info', 'menu', 'yes', 'ok'];

const sourceArb = fc.record({
  /** A first message (a text), an ad (a referral) or a keyword (promo …). */
  kind: fc.constantFrom('text', 'text', 'ad', 'ad', 'keyword'),
  n: fc.integer({ min: 0, max: 7 }),
  conversations: fc.integer({ min: 1, max: 4 }),
  day: fc.integer({ min: 0, max: 29 }),
});
const scenario = fc.record({
  sources: fc.array(sourceArb, { minLength: 1, maxLength: 24 }),
  rollup: fc.constantFrom(1, 2, 3),
  // Ads with spend, ads with names, renamed sources (by index into the keys seen), a manual entry.
  spent: fc.subarray([0, 1, 2, 3, 4, 5, 6, 7]),
  named: fc.subarray([0, 1, 2, 3, 4, 5, 6, 7]),
  renamed: fc.subarray(['text:hi', 'text:info', 'ad:a3', 'kw:promo', 'text:*']),
  manual: fc.boolean(),
  event: fc.constantFrom(undefined, 'text:yes', 'ext:Purchase'),
});

function setup(s: typeof scenario extends fc.Arbitrary<infer T> ? T : never) {
  const db = makeDb({ rollupThreshold: s.rollup });
  db.prepare("INSERT INTO attr_keywords (keyword, added_at) VALUES ('promo', 0)").run();
  const messages: Msg[] = [];
  let c = 0;
  for (const x of s.sources)
    for (let i = 0; i < x.conversations; i++) {
      const contact = `49${String(c++).padStart(6, '0')}`;
      const ts = t('2026-03-01 09:00') + x.day * 86_400 + i * 60;
      const base = { id: `m${c}`, ts, contact };
      messages.push(
        x.kind === 'ad'
          ? { ...base, text: 'Hi', referral: { source_id: `a${x.n}`, headline: `Headline ${x.n}` } }
          : { ...base, text: x.kind === 'keyword' ? 'promo now' : TEXTS[x.n]! },
      );
      // Every other conversation answers "yes": leads for the text event.
      if (c % 2 === 0) messages.push({ id: `r${c}`, ts: ts + 30, contact, text: 'yes' });
    }
  feed(db, { messages });
  const currency = report(db).totals.currency;
  const spend = db.prepare(
    `INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, impressions, clicks, messaging_started, synced_at)
     VALUES ('act_1', ?, ?, ?, ?, 100, 5, ?, 0)`,
  );
  for (const n of s.spent)
    spend.run(`a${n}`, `2026-03-${String(1 + n).padStart(2, '0')}`, 10 + n, currency, n);
  const ad = db.prepare(
    "INSERT INTO meta_ads (ad_id, account_id, name, adset_name, campaign_name) VALUES (?, 'act_1', ?, 'Set', 'Camp')",
  );
  for (const n of s.named) ad.run(`a${n}`, `Ad ${n}`);
  const rename = db.prepare('INSERT INTO attr_source_names (source_key, name, updated_at) VALUES (?, ?, 0)');
  for (const key of s.renamed) rename.run(key, `Renamed ${key}`);
  if (s.manual)
    db.prepare(
      "INSERT INTO attr_investments (source_key, amount, currency, from_date, to_date, saved_at) VALUES ('text:hello', 50, ?, '2026-03-01', '2026-03-31', 0)",
    ).run(currency);
  return db;
}

afterEach(() => vi.restoreAllMocks());

describe('source rows on demand', () => {
  it('the first rows of any limit are the full report’s, the rest complete them in order, all else is equal', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 1, max: 30 }), (s, limit) => {
        const db = setup(s);
        const range = { from: '2026-03-01', to: '2026-03-31' };
        const full = report(db, { range, event: s.event });
        const cut = report(db, { range, event: s.event, sourcesLimit: limit });
        const { sources, sourcesTotal, ...rest } = cut;
        expect(sources).toEqual(full.sources.slice(0, limit));
        expect(sourcesTotal).toBe(full.sources.length > limit ? full.sources.length : undefined);
        const { sources: _all, ...fullRest } = full;
        expect(rest).toEqual(fullRest);
        // Meta's conversations started are summed over every row, built or not.
        const { metaConversationsStarted, costPerConversationStarted } = cut.totals;
        expect({ metaConversationsStarted, costPerConversationStarted }).toEqual(
          conversationsStartedOf(full.sources),
        );
        // The rest, built from what the cut report kept: nothing is counted again.
        const counted = vi.spyOn(ReportContext.prototype, 'aggregator');
        const all = listSources(db, { phone: PHONE, range, event: full.event?.id }, { now: NOW });
        expect(all.sources).toEqual(full.sources);
        if (sourcesTotal !== undefined) expect(counted).not.toHaveBeenCalled();
        counted.mockRestore();
        db.close();
      }),
      { numRuns: 60 },
    );
  });
});
