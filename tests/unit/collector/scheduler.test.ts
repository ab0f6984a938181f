import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCollectorScheduler } from '../../../src/core/collector/scheduler';
import { type RunningServer, startServer } from '../../../src/core/server/server';
import { makeTestCore, type TestCore } from '../../helpers/core';
import { textDelivery } from '../../helpers/webhook';

let collector: TestCore;
let desktop: TestCore;
let server: RunningServer;
let token: string;
let secret: string;

const payload = (i: number) =>
  textDelivery({
    phoneNumberId: '7770001',
    waId: '4915100001',
    id: `wamid.s.${i}`,
    ts: 1_764_000_000 + i,
    body: 'hi',
    name: 'A',
  });

const deliver = (i: number) =>
  fetch(`${server.url}/webhooks/360dialog/7770001`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify(payload(i)),
  });

const messages = () => (desktop.db().prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;

beforeAll(async () => {
  collector = makeTestCore();
  desktop = makeTestCore();
  secret = (await collector.call('channels.add', { phoneNumberId: '7770001' })).secret;
  token = (await collector.call('collector.tokens.create', {})).token;
  server = await startServer({ host: collector.host, apiToken: 'x' });
});
afterAll(async () => {
  await server.close();
  await collector.close();
  await desktop.close();
});

it('syncs configured workspaces when their interval has passed since the last attempt, and not before', async () => {
  let now = Date.now();
  const scheduler = startCollectorScheduler(desktop.host, {
    immediate: false,
    tickMs: 3_600_000,
    now: () => now,
  });
  try {
    await scheduler.tick(); // nothing configured yet: nothing happens
    expect(await desktop.call('collector.status', {})).toMatchObject({
      configured: false,
      lastAttemptAt: null,
    });

    expect((await deliver(1)).status).toBe(200);
    await desktop.call('collector.configure', { url: server.url, token, intervalMinutes: 10 });
    await scheduler.tick();
    expect(messages()).toBe(1);
    const first = (await desktop.call('collector.status', {})).lastAttemptAt;

    expect((await deliver(2)).status).toBe(200);
    now += 9 * 60_000;
    await scheduler.tick(); // within the interval: no attempt
    expect((await desktop.call('collector.status', {})).lastAttemptAt).toBe(first);
    expect(messages()).toBe(1);

    now += 2 * 60_000;
    await scheduler.tick();
    expect(messages()).toBe(2);
    const jobs = await desktop.call('jobs.list', {});
    expect(jobs.filter((j) => j.kind === 'collector-sync' && j.state === 'done')).toHaveLength(2);
  } finally {
    scheduler.stop();
  }
});

it('an offline collector is recorded and retried at the next interval', async () => {
  const other = makeTestCore();
  let now = Date.now();
  const errors: string[] = [];
  const scheduler = startCollectorScheduler(other.host, {
    immediate: false,
    tickMs: 3_600_000,
    now: () => now,
    onError: (ws) => errors.push(ws),
  });
  try {
    await other.call('collector.configure', { url: 'http://127.0.0.1:1', token });
    await scheduler.tick();
    const s = await other.call('collector.status', {});
    expect(s).toMatchObject({ online: false, lastSyncedAt: null });
    expect(s.lastError).toContain('could not be reached');
    expect(errors).toEqual(['default']);
    now += 16 * 60_000;
    await scheduler.tick();
    expect(errors).toEqual(['default', 'default']);
  } finally {
    scheduler.stop();
    await other.close();
  }
});
