import { afterEach, expect, it } from 'vitest';
import type { Db } from '../../../src/core/db/open';
import { refreshAccounts, selectAccounts } from '../../../src/core/meta/accounts';
import { GraphClient } from '../../../src/core/meta/graph-client';
import { runMetaSync } from '../../../src/core/meta/sync';
import { type FakeGraph, startFakeGraph } from '../../fakes/fake-graph';
import { testFixture } from '../../fakes/meta-fixture';
import { feed, makeDb, report } from '../attribution/feed';

// Synced names and spend as the report shows them (attribution reads meta_ads / meta_spend).

let fake: FakeGraph | undefined;
let db: Db | undefined;
afterEach(async () => {
  await fake?.close();
  db?.close();
});

it('ad sources carry "Campaign › Ad set › Ad", Invested from synced spend in the account currency, and linked ads without conversations', async () => {
  const fixture = testFixture({ to: '2026-03-31' });
  fake = await startFakeGraph({ fixture, pageSizes: [3, 0, 4] });
  db = makeDb();
  feed(db, {
    messages: [
      { id: 'w1', ts: '2026-03-03 10:00', contact: 'c1', text: 'Hi', referral: { source_id: '1001' } },
      { id: 'w2', ts: '2026-03-04 11:00', contact: 'c2', text: 'Hello', referral: { source_id: '9001' } },
      { id: 'w3', ts: '2026-03-05 12:00', contact: 'c3', text: 'Hey', referral: { source_id: '2001' } },
    ],
    events: [{ id: 'e1', action: 'purchase', ts: '2026-03-06 09:00', contact: 'c1' }],
  });
  const client = new GraphClient({
    baseUrl: fake.url,
    version: 'v25.0',
    accessToken: fixture.token,
    sleep: async () => {},
  });
  const now = Date.parse('2026-03-31T12:00:00Z');
  await refreshAccounts(db, client, now);
  selectAccounts(db, ['act_111', 'act_222']);
  await runMetaSync({ db, client, now: () => now, sleep: async () => {} }, { since: '2026-03-01' });

  const r = report(db, { event: 'ext:purchase' });
  expect(r.totals.currency).toBe('EUR');
  const byId = new Map(r.sources.map((s) => [s.id, s]));
  const spendIn = (adId: string) =>
    Math.round(
      fixture.insights
        .filter((x) => x.adId === adId && x.date >= '2026-03-01' && x.date <= '2026-03-31')
        .reduce((a, x) => a + Number(x.spend), 0) * 100,
    ) / 100;

  const summer = byId.get('ad:1001');
  expect(summer).toMatchObject({
    name: 'CTWA Summer › Lookalike 1% › Summer video',
    conversations: 1,
    investedFrom: 'meta',
  });
  expect(summer!.invested).toBeCloseTo(spendIn('1001'), 2);
  expect(summer!.leads).toBe(1);
  expect(summer!.costPerLead).toBeCloseTo(spendIn('1001'), 2);
  expect(summer!.meta).toMatchObject({ campaignName: 'CTWA Summer', adsetName: 'Lookalike 1%' });
  // Found by the one-off lookup: named, no spend.
  expect(byId.get('ad:9001')).toMatchObject({
    name: 'Partner campaign › Partner set › Partner ad',
    conversations: 1,
  });
  // Spend in USD is never summed into the EUR figure.
  const us = byId.get('ad:2001')!;
  expect(us.investedOther.USD).toBeCloseTo(spendIn('2001'), 2);
  // A linked ad that spent but brought no conversation is listed with 0.
  expect(byId.get('ad:1002')).toMatchObject({ conversations: 0 });
  expect(byId.get('ad:1002')!.invested).toBeCloseTo(spendIn('1002'), 2);
});
