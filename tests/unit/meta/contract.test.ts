import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeGraph, startFakeGraph } from '../../fakes/fake-graph';
import { testFixture } from '../../fakes/meta-fixture';
import { makeTestCore, type TestCore } from '../../helpers/core';

let fake: FakeGraph;
let core: TestCore;
const TOKEN = testFixture().token;
// The contract path runs on the real clock: the fake's history ends today (UTC) and the sync reads 20 days.
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const world = () => testFixture({ to: day(0) });

beforeEach(async () => {
  fake = await startFakeGraph({
    fixture: world(),
    device: {
      appId: '123456789',
      clientToken: 'client-token-abcdef',
      steps: ['pending', 'slow_down', 'authorized'],
    },
  });
  process.env.INSIGHTS_GRAPH_URL = fake.url;
  core = makeTestCore();
  await core.call('workspaces.create', { name: 'shop' });
  const db = core.db('shop');
  db.prepare(
    "INSERT INTO business_numbers (phone_number_id, display_number, display_digits) VALUES ('pn1', '+49 30 1234567', '49301234567')",
  ).run();
  db.prepare(
    "INSERT INTO business_numbers (phone_number_id, display_number, display_digits) VALUES ('pn2', '+1 212 555 0100', '12125550100')",
  ).run();
});

afterEach(async () => {
  delete process.env.INSIGHTS_GRAPH_URL;
  await core.close();
  await fake.close();
});

/** The token must never come back through the contract nor sit in the workspace database. */
function assertTokenNowhere(value: unknown): void {
  expect(JSON.stringify(value)).not.toContain(TOKEN);
  const file = path.join(core.dataDir, 'workspaces', 'shop', 'insights.sqlite');
  for (const suffix of ['', '-wal']) {
    if (fs.existsSync(file + suffix)) expect(fs.readFileSync(file + suffix).includes(TOKEN)).toBe(false);
  }
}

describe('Meta through the contract methods (fake Graph via INSIGHTS_GRAPH_URL)', () => {
  it('connect, accounts, select, link, sync, status — with the token kept secret', async () => {
    const call = <M extends Parameters<TestCore['call']>[0]>(m: M, a: Parameters<TestCore['call']>[1]) =>
      core.call(m, a as never, 'shop');

    await expect(call('meta.connectToken', { token: 'EAAwrong-token-0000' })).rejects.toMatchObject({
      code: 'unauthorized',
      field: 'token',
    });
    expect(await call('meta.status', {})).toMatchObject({ connected: false, method: null });

    const status = await call('meta.connectToken', { token: TOKEN });
    expect(status).toMatchObject({
      connected: true,
      method: 'token',
      user: { id: '100000000000099', name: 'Demo Marketer' },
      tokenType: 'SYSTEM_USER',
      expiresAt: null,
      permissions: ['ads_read', 'business_management'],
      missingPermissions: [],
      needsLogin: false,
    });

    const accounts = await call('meta.accounts', { refresh: true });
    expect(accounts.map((a) => [a.id, a.currency, a.timezone, a.statusLabel, a.selected])).toEqual([
      ['act_111', 'EUR', 'Europe/Berlin', 'active', false],
      ['act_222', 'USD', 'America/New_York', 'active', false],
    ]);
    await expect(call('meta.selectAccounts', { accountIds: ['act_999'] })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    const selected = await call('meta.selectAccounts', { accountIds: ['act_222', 'act_111'] });
    expect(selected.find((a) => a.id === 'act_111')).toMatchObject({
      selected: true,
      phoneNumberIds: ['pn1', 'pn2'],
    });
    await expect(
      call('meta.linkNumbers', { accountId: 'act_222', phoneNumbers: ['+1 999'] }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    const linked = await call('meta.linkNumbers', {
      accountId: 'act_222',
      phoneNumbers: ['+1 212 555 0100'],
    });
    expect(linked.find((a) => a.id === 'act_222')!.phoneNumberIds).toEqual(['pn2']);

    const since = day(-20);
    const [summary, second] = await Promise.allSettled([
      call('meta.sync', { since }),
      call('meta.sync', { since }),
    ]);
    // One sync per workspace at a time.
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'conflict' } });
    if (summary.status !== 'fulfilled') throw summary.reason;
    expect(summary.value).toMatchObject({ accounts: 2, currencies: ['EUR', 'USD'] });
    const db = core.db('shop');
    const expected = world().insights.filter((r) => r.date >= since && r.date <= day(-1));
    expect(summary.value.spendRows).toBeGreaterThanOrEqual(expected.length);
    expect((db.prepare('SELECT COUNT(*) AS n FROM meta_spend').get() as { n: number }).n).toBe(
      summary.value.spendRows,
    );
    const spendOf = db.prepare('SELECT spend FROM meta_spend WHERE ad_id = ? AND date = ?');
    for (const r of expected) expect(spendOf.get(r.adId, r.date)).toEqual({ spend: Number(r.spend) });
    // Short windows are read synchronously: no report run was started.
    expect(fake.log.some((r) => r.method === 'POST')).toBe(false);
    expect(db.prepare("SELECT value FROM settings WHERE key = 'currency'").get()).toEqual({ value: '"USD"' });

    const after = await call('meta.status', {});
    expect(after).toMatchObject({ selectedAccounts: 2, lastSync: { ok: true, error: null } });
    const jobs = await core.call('jobs.list', {});
    // Both calls were jobs started in the same instant: the refused one failed, the other finished.
    const syncJobs = jobs.filter((j) => j.kind === 'meta-sync');
    expect(syncJobs.map((j) => j.state).sort()).toEqual(['done', 'failed']);
    expect(syncJobs.find((j) => j.state === 'done')).toMatchObject({ progress: 1 });

    assertTokenNowhere([
      status,
      accounts,
      selected,
      linked,
      summary,
      after,
      jobs,
      await call('meta.settings.get', {}),
    ]);

    expect(await call('meta.disconnect', {})).toEqual({ ok: true });
    expect(await call('meta.status', {})).toMatchObject({ connected: false, user: null });
    await expect(call('meta.sync', {})).rejects.toMatchObject({ code: 'meta_needs_login' });
  });

  it('Login for Devices: code and URL, then pending, slow down, connected', async () => {
    const call = <M extends Parameters<TestCore['call']>[0]>(m: M, a: Parameters<TestCore['call']>[1]) =>
      core.call(m, a as never, 'shop');
    await expect(call('meta.deviceLoginStart', {})).rejects.toMatchObject({
      code: 'invalid_argument',
      field: 'appId',
    });
    const start = await call('meta.deviceLoginStart', {
      appId: '123456789',
      clientToken: 'client-token-abcdef',
    });
    expect(start).toMatchObject({
      userCode: 'ABCD-EFGH',
      verificationUri: 'https://www.facebook.com/device',
      interval: 5,
    });
    expect(await call('meta.settings.get', {})).toMatchObject({
      appId: '123456789',
      hasClientToken: true,
      baseUrlFromEnv: true,
    });
    expect(await call('meta.deviceLoginPoll', {})).toMatchObject({ state: 'pending', interval: 5 });
    expect(await call('meta.deviceLoginPoll', {})).toMatchObject({ state: 'slow_down', interval: 10 });
    const done = await call('meta.deviceLoginPoll', {});
    expect(done).toMatchObject({
      state: 'connected',
      status: { connected: true, method: 'device', deviceLoginPending: false },
    });
    assertTokenNowhere(done);
    expect(JSON.stringify(await call('meta.settings.get', {}))).not.toContain('client-token-abcdef');
    await expect(call('meta.deviceLoginPoll', {})).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('reports a missing ads_read permission, and settings validate and reset', async () => {
    await fake.close();
    fake = await startFakeGraph({
      fixture: testFixture({ permissions: ['business_management'], to: day(0) }),
    });
    process.env.INSIGHTS_GRAPH_URL = fake.url;
    const status = await core.call('meta.connectToken', { token: TOKEN }, 'shop');
    expect(status.missingPermissions).toEqual(['ads_read']);

    await expect(core.call('meta.settings.set', { apiVersion: '25' }, 'shop')).rejects.toMatchObject({
      code: 'invalid_argument',
      field: 'apiVersion',
    });
    await expect(
      core.call('meta.settings.set', { baseUrl: 'http://graph.example.com' }, 'shop'),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
      field: 'baseUrl',
    });
    const set = await core.call(
      'meta.settings.set',
      { apiVersion: 'v26.0', baseUrl: 'http://127.0.0.1:9/' },
      'shop',
    );
    expect(set).toMatchObject({
      apiVersion: 'v26.0',
      baseUrl: 'http://127.0.0.1:9',
      effectiveBaseUrl: fake.url,
    });
    await core.call('meta.accounts', { refresh: true }, 'shop');
    expect(fake.log.at(-1)!.path).toBe('/v26.0/me/adaccounts');
    const reset = await core.call('meta.settings.set', { baseUrl: null }, 'shop');
    expect(reset.baseUrl).toBe('https://graph.facebook.com');
  });
});
