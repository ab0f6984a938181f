import { afterEach, describe, expect, it } from 'vitest';
import { GraphClient } from '../../../src/core/meta/graph-client';
import { GraphError } from '../../../src/core/meta/graph-error';
import { parseUsage } from '../../../src/core/meta/usage';
import {
  type FakeGraph,
  type Fault,
  reduceData,
  serverError,
  startFakeGraph,
  throttled,
  tokenExpired,
  usageHeaders,
} from '../../fakes/fake-graph';
import { testFixture } from '../../fakes/meta-fixture';

let fake: FakeGraph | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function clientFor(f: FakeGraph, token = testFixture().token) {
  const sleeps: { ms: number }[] = [];
  const waits: string[] = [];
  const client = new GraphClient({
    baseUrl: f.url,
    version: 'v25.0',
    accessToken: token,
    sleep: async (ms) => {
      sleeps.push({ ms });
    },
    onWait: (w) => waits.push(w.reason),
  });
  return { client, sleeps, waits };
}

const insightsParams = {
  level: 'ad',
  time_increment: 1,
  time_range: JSON.stringify({ since: '2026-11-01', until: '2026-11-20' }),
  fields: 'ad_id,spend,date_start',
  limit: 7,
};

describe('GraphClient against the fake Graph API', () => {
  it('sends the token as an Authorization: Bearer header, never in a URL or form (proxy and access logs)', async () => {
    fake = await startFakeGraph({ fixture: testFixture() });
    const { client } = clientFor(fake);
    const token = testFixture().token;
    await client.get('me');
    await client.post('act_111/insights', insightsParams); // a form body
    expect(fake.log.length).toBeGreaterThanOrEqual(2);
    for (const r of fake.log) {
      expect(r.authorization).toBe(`Bearer ${token}`);
      expect(r.params.has('access_token')).toBe(false);
      expect(r.path).not.toContain(token);
    }
  });

  it('the fake refuses a token in the query string, as the tests must catch a client that sends one', async () => {
    fake = await startFakeGraph({ fixture: testFixture() });
    const res = await fetch(`${fake.url}/v25.0/me?access_token=${testFixture().token}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(190);
  });

  it('follows paging.next across short and empty pages and keeps numbers as Meta sends them (strings)', async () => {
    fake = await startFakeGraph({ fixture: testFixture(), pageSizes: [3, 0, 1, 7] });
    const { client } = clientFor(fake);
    const rows = await client.all<{ ad_id: string; spend: string; date_start: string }>(
      'act_111/insights',
      insightsParams,
    );
    const expected = testFixture().insights.filter(
      (r) => r.accountId === 'act_111' && r.date >= '2026-11-01',
    );
    expect(rows.map((r) => `${r.ad_id}@${r.date_start}=${r.spend}`)).toEqual(
      expected.map((r) => `${r.adId}@${r.date}=${r.spend}`),
    );
    expect(typeof rows[0]!.spend).toBe('string');
    // An empty page with `next` did not end the listing.
    expect(fake.log.length).toBeGreaterThan(Math.ceil(expected.length / 7));
    expect(fake.log.every((r) => r.path.startsWith('/v25.0/'))).toBe(true);
  });

  it('pauses before the next call when a usage header is above 90 %, for estimated_time_to_regain_access', async () => {
    fake = await startFakeGraph({
      fixture: testFixture(),
      pageSizes: [2],
      headers: (r) => (r.index === 0 ? usageHeaders(96, 3) : usageHeaders(20)),
    });
    const { client, sleeps, waits } = clientFor(fake);
    const list = await client.all('me/adaccounts', { fields: 'id,name', limit: 1 });
    expect(list).toHaveLength(2);
    expect(waits).toEqual(['usage']);
    expect(sleeps).toEqual([{ ms: 180_000 }]);
  });

  it('waits at least a minute on throttling 400s (code 17, 80000, 613) and retries', async () => {
    const codes = [17, 80000, 613];
    const faults: Fault[] = [(r) => (r.index < codes.length ? throttled(codes[r.index]) : undefined)];
    fake = await startFakeGraph({ fixture: testFixture(), faults });
    const { client, sleeps, waits } = clientFor(fake);
    const me = await client.get<{ name: string }>('me', { fields: 'id,name' });
    expect(me.name).toBe('Demo Marketer');
    expect(waits).toEqual(['throttle', 'throttle', 'throttle']);
    expect(sleeps.every((s) => s.ms >= 60_000)).toBe(true);
  });

  it('retries a burst of 5xx with exponential backoff, and gives up after five retries', async () => {
    fake = await startFakeGraph({
      fixture: testFixture(),
      faults: [(r) => (r.index < 3 ? serverError() : undefined)],
    });
    const { client, sleeps } = clientFor(fake);
    await client.get('me');
    expect(sleeps.map((s) => s.ms)).toEqual([1000, 5000, 25000]);
    await fake.close();

    fake = await startFakeGraph({ fixture: testFixture(), faults: [() => serverError()] });
    const second = clientFor(fake);
    await expect(second.client.get('me')).rejects.toMatchObject({ code: 'unavailable' });
    expect(fake.log).toHaveLength(6);
  });

  it('stops at once on 190 with a needs-login error that does not contain the token', async () => {
    fake = await startFakeGraph({ fixture: testFixture(), faults: [() => tokenExpired()] });
    const { client, sleeps } = clientFor(fake);
    const err = await client.get('me').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ kind: 'auth', code: 'meta_needs_login', graphCode: 190 });
    expect((err as Error).message).not.toContain(testFixture().token);
    expect(fake.log).toHaveLength(1);
    expect(sleeps).toHaveLength(0);
  });

  it('reports a code-100 error naming the parameter', async () => {
    fake = await startFakeGraph({ fixture: testFixture() });
    const { client } = clientFor(fake);
    const err = await client
      .get('act_111/insights', { ...insightsParams, time_range: 'yesterday' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_argument', field: 'time_range' });
    expect((err as Error).message).toMatch(/time_range/);
  });

  it('halves the page size on "reduce the amount of data" and asks for the same page again', async () => {
    fake = await startFakeGraph({
      fixture: testFixture(),
      faults: [(r) => (r.index < 2 ? reduceData() : undefined)],
    });
    const { client } = clientFor(fake);
    const rows = await client.all('act_111/insights', { ...insightsParams, limit: 400 });
    expect(rows.length).toBeGreaterThan(0);
    expect(fake.log.map((r) => r.params.get('limit')).slice(0, 3)).toEqual(['400', '200', '100']);
  });

  it('does not follow a next-page link to another host', async () => {
    const evil: Fault = (r) =>
      r.path.endsWith('/me/adaccounts')
        ? { status: 200, body: { data: [], paging: { next: 'https://evil.example/v25.0/x?after=1' } } }
        : undefined;
    fake = await startFakeGraph({ fixture: testFixture(), faults: [evil] });
    const { client } = clientFor(fake);
    await expect(client.all('me/adaccounts')).rejects.toThrow(/another host/);
  });
});

it('parseUsage takes the highest percentage of every usage header', () => {
  const h = new Headers(usageHeaders(42, 2));
  h.set('x-fb-ads-insights-throttle', JSON.stringify({ app_id_util_pct: 12, acc_id_util_pct: 93.5 }));
  expect(parseUsage(h)).toEqual({ maxPct: 93.5, regainSeconds: 120, source: 'ads insights' });
  expect(parseUsage(new Headers()).maxPct).toBe(0);
});
