import { expect, it } from 'vitest';
import { ReportContext } from '../../../src/core/attribution/report/context';
import { investedOfRange } from '../../../src/core/attribution/report/invested-rows';
import { feed, makeDb, NOW, PHONE, report, TZ } from './feed';

// The totals of a range shown alone (the previous period's) sum the Invested of the range's rows without
// building them: investedOfRange must find the same rows with an amount as the source table does, the ads
// that only their conversations bring in (an ad of an account not linked to the number) among them.

it("a range's Invested without its rows equals the rows' own, ads brought in by conversations only included", () => {
  const db = makeDb();
  feed(db, {
    messages: [
      { id: 'm1', ts: '2026-03-03 10:00', contact: 'c1', text: 'Hi', referral: { source_id: '7001' } },
      { id: 'm2', ts: '2026-03-04 10:00', contact: 'c2', text: 'Hi', referral: { source_id: '7002' } },
      { id: 'm3', ts: '2026-03-05 10:00', contact: 'c3', text: 'Hello there' },
    ],
  });
  const currency = report(db).totals.currency;
  // Spend of both ads under an account no number is linked to (never synced as selected).
  const spend = db.prepare(
    `INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, impressions, clicks, messaging_started, synced_at)
     VALUES ('act_9', ?, ?, ?, ?, 100, 5, 1, 0)`,
  );
  spend.run('7001', '2026-03-02', 12.5, currency);
  spend.run('7001', '2026-03-03', 7.25, currency);
  spend.run('7002', '2026-02-27', 30, currency); // before the range
  spend.run('7002', '2026-03-10', 4, currency);
  const range = { from: '2026-03-01', to: '2026-03-31' };
  const rows = report(db, { range }).sources;
  expect(rows.find((s) => s.id === 'ad:7001')?.invested).toBe(19.75);
  expect(rows.find((s) => s.id === 'ad:7002')?.invested).toBe(4);
  // The summary path (the applied timezone) and the exact path (another one).
  for (const timezone of [TZ, 'America/New_York']) {
    const alone = investedOfRange(new ReportContext(db, PHONE, range, timezone, { now: NOW }));
    expect(Object.fromEntries([...alone].map(([k, v]) => [k, v.invested]))).toEqual({
      'ad:7001': 19.75,
      'ad:7002': 4,
    });
  }
  db.close();
});
