import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/core/db/open';
import { getSetting } from '../../../src/core/db/settings';
import { refreshAccounts, selectAccounts } from '../../../src/core/meta/accounts';
import { checkToken, saveConnection } from '../../../src/core/meta/connection';
import { graphError } from '../../../src/core/meta/demo-graph';
import { type FetchLike, GraphClient } from '../../../src/core/meta/graph-client';
import { runMetaSync } from '../../../src/core/meta/sync';
import {
  type FakeGraph,
  type FakeGraphOptions,
  type Fault,
  serverError,
  startFakeGraph,
  throttled,
  tokenExpired,
  usageHeaders,
} from '../../fakes/fake-graph';
import { dump, NOW, removeDb, TODAY, testDb, testFixture } from '../../fakes/meta-fixture';

const fakes: FakeGraph[] = [];
const dbs: Db[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
  for (const db of dbs.splice(0)) removeDb(db);
});

async function fake(options: Partial<FakeGraphOptions> = {}): Promise<FakeGraph> {
  const f = await startFakeGraph({ fixture: testFixture(), ...options });
  fakes.push(f);
  return f;
}

function db(): Db {
  const d = testDb();
  dbs.push(d);
  return d;
}

function client(f: FakeGraph, sleeps: number[] = [], fetchImpl?: FetchLike) {
  return new GraphClient({
    baseUrl: f.url,
    version: 'v25.0',
    accessToken: testFixture().token,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

async function connectAndSelect(d: Db, f: FakeGraph): Promise<void> {
  const c = client(f);
  saveConnection(d, 'token', await checkToken(c, testFixture().token), NOW);
  await refreshAccounts(d, c, NOW);
  selectAccounts(d, ['act_111', 'act_222']);
}

const sync = (d: Db, c: GraphClient, since = '2026-08-13', now = NOW) =>
  runMetaSync({ db: d, client: c, now: () => now, sleep: async () => {} }, { since });

/** A reference database: the same world synced without any fault. */
async function reference(): Promise<unknown> {
  const f = await fake();
  const d = db();
  await connectAndSelect(d, f);
  await sync(d, client(f));
  return dump(d);
}

describe('Meta sync against the fake Graph API', () => {
  it('stores names, daily spend per date and currency despite short pages, usage near the limit, throttling, 5xx bursts and a failed async job', async () => {
    const sleeps: number[] = [];
    const faults: Fault[] = [
      (r) => (r.index === 12 || r.index === 13 ? throttled(80000, 2446079) : undefined),
      (r) => (r.index >= 20 && r.index < 23 ? serverError() : undefined),
    ];
    const f = await fake({
      pageSizes: [4, 1, 0, 6],
      asyncFailures: 1,
      faults,
      headers: (r) => (r.index === 30 ? usageHeaders(97, 2) : usageHeaders(40)),
    });
    const d = db();
    await connectAndSelect(d, f);
    const progress: (number | null)[] = [];
    const summary = await runMetaSync(
      {
        db: d,
        client: client(f, sleeps),
        now: () => NOW,
        sleep: async (ms) => void sleeps.push(ms),
        progress: (p) => progress.push(p),
      },
      { since: '2026-08-13' },
    );

    // Names: Campaign › Ad set › Ad for every ad, archived included; the lookup found the partner ad.
    const ads = d
      .prepare(
        'SELECT ad_id, account_id, name, adset_name, campaign_name, effective_status FROM meta_ads ORDER BY ad_id',
      )
      .all();
    expect(ads).toEqual([
      {
        ad_id: '1001',
        account_id: 'act_111',
        name: 'Summer video',
        adset_name: 'Lookalike 1%',
        campaign_name: 'CTWA Summer',
        effective_status: 'ACTIVE',
      },
      {
        ad_id: '1002',
        account_id: 'act_111',
        name: 'Summer carousel',
        adset_name: 'Lookalike 1%',
        campaign_name: 'CTWA Summer',
        effective_status: 'ACTIVE',
      },
      {
        ad_id: '1003',
        account_id: 'act_111',
        name: 'Old promo',
        adset_name: 'Broad',
        campaign_name: 'CTWA Spring',
        effective_status: 'ARCHIVED',
      },
      {
        ad_id: '2001',
        account_id: 'act_222',
        name: 'US launch',
        adset_name: 'US broad',
        campaign_name: 'US CTWA',
        effective_status: 'ACTIVE',
      },
      {
        ad_id: '9001',
        account_id: null,
        name: 'Partner ad',
        adset_name: 'Partner set',
        campaign_name: 'Partner campaign',
        effective_status: null,
      },
    ]);
    expect(d.prepare('SELECT ad_id, found FROM meta_ad_lookups ORDER BY ad_id').all()).toEqual([
      { ad_id: '9001', found: 1 },
      { ad_id: '9999', found: 0 },
    ]);

    // Spend: exactly the fixture's rows, parsed from strings, in each account's currency.
    const expected = testFixture().insights.map((r) => ({
      account_id: r.accountId,
      ad_id: r.adId,
      date: r.date,
      spend: Number(r.spend),
      currency: r.accountId === 'act_111' ? 'EUR' : 'USD',
      impressions: Number(r.impressions),
      clicks: Number(r.clicks),
      messaging_started: Number(r.messagingStarted),
    }));
    const stored = d
      .prepare(
        'SELECT account_id, ad_id, date, spend, currency, impressions, clicks, messaging_started FROM meta_spend ORDER BY account_id, ad_id, date',
      )
      .all();
    expect(stored).toEqual(expected);
    const perAd = d
      .prepare(
        "SELECT ROUND(SUM(spend), 2) AS s FROM meta_spend WHERE ad_id = '1001' AND date BETWEEN '2026-10-01' AND '2026-10-31'",
      )
      .get() as { s: number };
    const fixtureSum = testFixture()
      .insights.filter((r) => r.adId === '1001' && r.date.startsWith('2026-10'))
      .reduce((a, r) => a + Number(r.spend), 0);
    expect(perAd.s).toBeCloseTo(fixtureSum, 2);

    expect(summary).toMatchObject({
      accounts: 2,
      spendRows: expected.length,
      lookups: { found: 1, notFound: 1 },
      currencies: ['EUR', 'USD'],
    });
    expect(getSetting(d, 'currency', null)).toBe('EUR');
    expect(
      d.prepare('SELECT account_id, spend_since, spend_through FROM meta_sync_state ORDER BY 1').all(),
    ).toEqual([
      { account_id: 'act_111', spend_since: '2026-08-13', spend_through: TODAY },
      { account_id: 'act_222', spend_since: '2026-08-13', spend_through: TODAY },
    ]);
    expect(d.prepare('SELECT COUNT(*) AS n FROM meta_report_runs').get()).toEqual({ n: 0 });

    // The faults were met and handled: throttle waits ≥ 60 s, 5xx backoff, a 120 s usage pause, a failed job split.
    expect(sleeps.filter((ms) => ms === 60_000).length).toBeGreaterThanOrEqual(2);
    expect(sleeps).toEqual(expect.arrayContaining([1000, 5000, 25000, 120_000]));
    const runs = f.log.filter((r) => r.method === 'POST' && r.path.endsWith('/insights'));
    const firstRange = JSON.parse(runs[0]!.params.get('time_range')!);
    const secondRange = JSON.parse(runs[1]!.params.get('time_range')!);
    expect(firstRange).toEqual({ since: '2026-08-13', until: '2026-09-11' });
    expect(secondRange).toEqual({ since: '2026-08-13', until: '2026-08-27' }); // the failed window, halved
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((p, i) => i === 0 || p === null || p >= (progress[i - 1] ?? 0))).toBe(true);
  });

  it('re-reads only the last 28 days on the next sync, synchronously, and takes in restated figures', async () => {
    const f = await fake();
    const d = db();
    await connectAndSelect(d, f);
    await sync(d, client(f));
    // Meta restates: a day inside the lookback changes, another disappears.
    const rows = f.simulator.fixture.insights;
    const changed = rows.find((r) => r.adId === '1001' && r.date === '2026-11-10')!;
    changed.spend = '99.99';
    const goneIdx = rows.findIndex((r) => r.adId === '1002' && r.date === '2026-11-11');
    rows.splice(goneIdx, 1);
    const before = f.log.length;
    await sync(d, client(f), undefined as unknown as string, NOW + 24 * 3600_000);
    const insightCalls = f.log.slice(before).filter((r) => r.path.endsWith('/insights'));
    expect(insightCalls.every((r) => r.method === 'GET')).toBe(true);
    const ranges = new Set(insightCalls.map((r) => r.params.get('time_range')));
    expect([...ranges]).toEqual([JSON.stringify({ since: '2026-10-25', until: '2026-11-21' })]);
    expect(
      d.prepare("SELECT spend FROM meta_spend WHERE ad_id = '1001' AND date = '2026-11-10'").get(),
    ).toEqual({ spend: 99.99 });
    expect(
      d.prepare("SELECT COUNT(*) AS n FROM meta_spend WHERE ad_id = '1002' AND date = '2026-11-11'").get(),
    ).toEqual({ n: 0 });
    // Objects are incremental: the second pass asked only for objects updated after the last one seen.
    const adCalls = f.log.slice(before).filter((r) => r.path.endsWith('/ads'));
    expect(adCalls[0]!.params.get('filtering')).toMatch(/ad\.updated_time/);
  });

  it('stops on a 190 in the middle of a sync, marks the connection "needs login", and a later sync completes it', async () => {
    const ref = await reference();
    let expired = true;
    const f = await fake({ faults: [(r) => (expired && r.index === 25 ? tokenExpired() : undefined)] });
    const d = db();
    await connectAndSelect(d, f);
    await expect(sync(d, client(f))).rejects.toMatchObject({ code: 'meta_needs_login' });
    expect(d.prepare('SELECT needs_login FROM meta_connection').get()).toEqual({ needs_login: 1 });
    expect(d.prepare('SELECT ok FROM meta_sync_runs ORDER BY id DESC LIMIT 1').get()).toEqual({ ok: 0 });
    expired = false;
    await sync(d, client(f));
    expect(dump(d)).toEqual(ref);
  });

  it('a sync killed after any number of requests and restarted ends identical to an uninterrupted one', async () => {
    const ref = await reference();
    // How many requests an uninterrupted sync makes (with short pages and a failing job, to widen the paths).
    const options: Partial<FakeGraphOptions> = { pageSizes: [5, 2], asyncFailures: 1 };
    const probe = await fake(options);
    const pd = db();
    await connectAndSelect(pd, probe);
    const setup = probe.log.length;
    await sync(pd, client(probe));
    const total = probe.log.length - setup;
    expect(dump(pd)).toEqual(ref);

    const step = Math.max(1, Math.floor(total / 15));
    for (let killAt = 1; killAt < total; killAt += step) {
      const f = await fake(options);
      const d = db();
      await connectAndSelect(d, f);
      let sent = 0;
      const dying: FetchLike = (input, init) => {
        if (sent++ >= killAt) throw new Error('process killed');
        return fetch(input, init);
      };
      await expect(sync(d, client(f, [], dying))).rejects.toThrow('process killed');
      // Whatever was stored is consistent: the cursor never claims days that are not stored.
      const state = d.prepare('SELECT account_id, spend_through FROM meta_sync_state').all() as {
        account_id: string;
        spend_through: string | null;
      }[];
      for (const s of state) {
        if (!s.spend_through) continue;
        const missing = testFixture().insights.filter(
          (r) => r.accountId === s.account_id && r.date <= s.spend_through!,
        );
        const have = d
          .prepare('SELECT COUNT(*) AS n FROM meta_spend WHERE account_id = ? AND date <= ?')
          .get(s.account_id, s.spend_through) as { n: number };
        expect(have.n).toBe(missing.length);
      }
      await sync(d, client(f));
      expect(dump(d), `killed after ${killAt} of ${total} requests`).toEqual(ref);
    }
  });

  it('extends the history when a later sync asks for an earlier start', async () => {
    const f = await fake();
    const d = db();
    await connectAndSelect(d, f);
    await sync(d, client(f), '2026-11-01');
    expect(d.prepare('SELECT MIN(date) AS d FROM meta_spend').get()).toEqual({ d: '2026-11-01' });
    await sync(d, client(f), '2026-08-13');
    expect(dump(d)).toEqual(await reference());
  });

  it('stops at yesterday when Meta refuses an until of today (right after midnight)', async () => {
    const refuseToday: Fault = (r) =>
      r.path.endsWith('/insights') && r.params.get('time_range')?.includes(`"until":"${TODAY}"`)
        ? graphError(400, 100, 'Param time_range is invalid: until is in the future')
        : undefined;
    const f = await fake({ faults: [refuseToday] });
    const d = db();
    await connectAndSelect(d, f);
    await sync(d, client(f), '2026-11-01');
    expect(d.prepare('SELECT DISTINCT spend_through AS t FROM meta_sync_state').all()).toEqual([
      { t: '2026-11-19' },
    ]);
    expect(d.prepare('SELECT MAX(date) AS d FROM meta_spend').get()).toEqual({ d: '2026-11-19' });
  });

  it('an account Meta no longer lets us read does not keep the others from syncing', async () => {
    const revoked: Fault = (r) =>
      r.path.includes('/act_222/')
        ? graphError(400, 200, '(#200) Ad account owner has NOT grant ads_management or ads_read permission')
        : undefined;
    const f = await fake({ faults: [revoked] });
    const d = db();
    await connectAndSelect(d, f);
    await expect(sync(d, client(f))).rejects.toMatchObject({
      code: 'meta_error',
      message: expect.stringMatching(/Synced 1 of 2 ad accounts; failed: Shop USD \(act_222\)/),
    });
    const eur = testFixture().insights.filter((r) => r.accountId === 'act_111').length;
    expect(d.prepare("SELECT COUNT(*) AS n FROM meta_spend WHERE account_id = 'act_111'").get()).toEqual({
      n: eur,
    });
    expect(d.prepare("SELECT COUNT(*) AS n FROM meta_spend WHERE account_id = 'act_222'").get()).toEqual({
      n: 0,
    });
    // The lookups still ran.
    expect(d.prepare('SELECT COUNT(*) AS n FROM meta_ad_lookups').get()).toEqual({ n: 2 });
  });

  it('refuses to sync without a selected account', async () => {
    const f = await fake();
    const d = db();
    await expect(sync(d, client(f))).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(f.log).toHaveLength(0);
  });
});
