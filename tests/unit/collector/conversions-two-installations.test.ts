import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { startConversionsScheduler } from '../../../src/core/conversions/schedule';
import { type RunningServer, startServer } from '../../../src/core/server/server';
import { type FakeCapi, startFakeCapi } from '../../fakes/fake-capi';
import { makeTestCore, type TestCore, tempDir } from '../../helpers/core';
import { capiFixture, ctwaLeads, DATASET, PHONE, WABA } from '../../helpers/ctwa-leads';
import { textDelivery } from '../../helpers/webhook';

// Issue 16, "Who sends": the same event is never sent to Meta by two installations. A collector
// (`insights serve` in its own process, sending on its schedule) and a desktop get the same
// Click-to-WhatsApp webhooks, both have conversions on and mapped; the desktop syncs from the collector.
// Meta is the fake Conversions API, whose ledger counts every event_id it accepts (Meta does not
// deduplicate them).

const root = path.join(__dirname, '../../..');
const fixture = capiFixture;
const nowS = Math.floor(Date.now() / 1000);

/** Five ad conversations of the last hours, each with a "Book now" lead; the last from a Status placement (no click id). */
const deliveries = (tag: string) => ctwaLeads(tag, 5, 4, nowS);
const SENDABLE = 4;

const children: ChildProcess[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** The fake Meta, which this process's cores reach through INSIGHTS_GRAPH_URL (as serve's child does). */
async function useFakeMeta(): Promise<FakeCapi> {
  const meta = await startFakeCapi({ fixture, wabas: [{ id: WABA, datasetId: DATASET }] });
  process.env.INSIGHTS_GRAPH_URL = meta.url;
  closers.push(async () => {
    delete process.env.INSIGHTS_GRAPH_URL;
    await meta.close();
  });
  return meta;
}

function startServeProcess(
  dataDir: string,
  graphUrl: string,
): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/serve-process.ts', dataDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, INSIGHTS_GRAPH_URL: graphUrl, TEST_SEND_EVERY_MS: '300' },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /URL (http:\/\/[^/]+)\//.exec(out);
      if (m) resolve({ child, base: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`serve exited early (${code})`)));
  });
}

/** The contract over a collector's HTTP API, as the browser calls it. */
const apiOf =
  (base: string) =>
  async <T>(method: string, args: unknown): Promise<T> => {
    const res = await fetch(`${base}/api/${method}`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
      body: JSON.stringify({ args }),
    });
    const answer = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } };
    if (!answer.ok) throw new Error(`${method}: ${answer.error?.message}`);
    return answer.value as T;
  };

async function deliverAll(base: string, secret: string, bodies: unknown[]): Promise<void> {
  for (const body of bodies) {
    const res = await fetch(`${base}/webhooks/360dialog/${PHONE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  }
}

/** A desktop: an in-process core with its own receivers, fed the same webhooks. */
async function startDesktop(): Promise<{ core: TestCore; server: RunningServer; secret: string }> {
  const core = makeTestCore();
  await core.call('meta.connectToken', { token: fixture.token });
  const { secret } = await core.call('channels.add', { phoneNumberId: PHONE });
  const server = await startServer({ host: core.host, apiToken: 'x' });
  closers.push(async () => {
    await server.close();
    await core.close();
  });
  return { core, server, secret };
}

it('a desktop and a collector both configured: every event reaches Meta once, sent by the collector, and the desktop shows it sent', async () => {
  const meta = await useFakeMeta();

  // The collector: `insights serve` in its own process, sending every 300 ms.
  const { child, base } = await startServeProcess(tempDir(), meta.url);
  closers.push(async () => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  });
  const api = apiOf(base);
  await api('meta.connectToken', { token: fixture.token });
  const { secret } = await api<{ secret: string }>('channels.add', { phoneNumberId: PHONE });
  const { token } = await api<{ token: string }>('collector.tokens.create', { name: 'laptop' });

  // The desktop, connected to the collector, with conversions on and mapped as well.
  const desktop = await startDesktop();
  const d = desktop.core;
  await d.call('collector.configure', { url: base, token });
  const bodies = deliveries('t');
  await deliverAll(base, secret, bodies);
  await deliverAll(desktop.server.url, desktop.secret, bodies);
  for (const call of [api, <T>(m: string, a: unknown) => d.call(m as never, a as never) as Promise<T>]) {
    await call('conversions.dataset', { phoneNumberId: PHONE });
    await call('conversions.map', { eventId: 'button:Book now', metaEvent: 'LeadSubmitted' });
    await call('conversions.configure', { enabled: true });
  }
  // The desktop's own schedule runs too: it must leave sending to the collector.
  const desktopSchedule = startConversionsScheduler(d.host, { everyMs: 100 });
  closers.push(async () => desktopSchedule.stop());

  await vi.waitFor(() => expect(meta.ledger.counts().size).toBe(SENDABLE), {
    timeout: 60_000,
    interval: 100,
  });
  await vi.waitFor(
    async () => {
      await d.call('collector.sync', {});
      const s = await d.call('conversions.status', {});
      expect(s).toMatchObject({ sent: SENDABLE, notSendable: 1, pending: 0, failed: 0 });
    },
    { timeout: 30_000, interval: 200 },
  );
  const mirrored = await d.call('conversions.list', {});
  expect(mirrored.entries.map((e) => e.eventId).sort()).toEqual(
    [
      ...meta.ledger.counts().keys(),
      ...mirrored.entries.filter((e) => e.state === 'not_sendable').map((e) => e.eventId),
    ].sort(),
  );
  expect(mirrored.entries.every((e) => e.state !== 'sent' || e.fbtraceId)).toBe(true);
  expect(d.db().prepare('SELECT DISTINCT origin FROM capi_outbox').pluck().all()).toEqual(['collector']);

  // More activity on both sides (a second "Book now" in each conversation): the collector plans and
  // sends again, and still nothing reaches Meta twice.
  const before = (await api<{ lastSendAt: string | null }>('conversions.status', {})).lastSendAt;
  const again = [0, 1, 2, 3, 4].map((i) =>
    textDelivery({
      phoneNumberId: PHONE,
      wabaId: WABA,
      waId: `4915100t${i}`,
      id: `wamid.t.${i}.c`,
      ts: nowS - 600 + i,
      body: '',
      button: 'Book now',
    }),
  );
  await deliverAll(base, secret, again);
  await deliverAll(desktop.server.url, desktop.secret, again);
  await vi.waitFor(
    async () => {
      const s = await api<{ lastSendAt: string | null }>('conversions.status', {});
      expect(s.lastSendAt! > before!).toBe(true);
    },
    { timeout: 30_000, interval: 100 },
  );
  await desktopSchedule.tick();
  // Its schedule never started a send; asked to send, it refuses.
  const jobs = await d.call('jobs.list', {});
  expect(jobs.filter((j) => j.kind === 'conversions-send')).toEqual([]);
  await expect(d.call('conversions.send', {})).rejects.toThrow(/collector .* sends this workspace/);

  expect([...meta.ledger.counts().values()]).toEqual(Array(SENDABLE).fill(1));

  // The collector stops cleanly with its send schedule running (exitOnSignals: exit code 0).
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});

it('a desktop that sent before it was connected hands those events over: the collector never sends them', async () => {
  const meta = await useFakeMeta();
  const ready = async (core: TestCore) => {
    await core.call('conversions.dataset', { phoneNumberId: PHONE });
    await core.call('conversions.map', { eventId: 'button:Book now', metaEvent: 'LeadSubmitted' });
    await core.call('conversions.configure', { enabled: true });
  };
  const bodies = deliveries('h');

  // Alone, the desktop sends what it has.
  const desktop = await startDesktop();
  const d = desktop.core;
  await deliverAll(desktop.server.url, desktop.secret, bodies);
  await ready(d);
  expect(await d.call('conversions.send', {})).toMatchObject({ sent: SENDABLE });
  expect(meta.ledger.counts().size).toBe(SENDABLE);

  // The collector got the same webhooks and queued the same conversions.
  const collector = makeTestCore();
  await collector.call('meta.connectToken', { token: fixture.token });
  const { secret } = await collector.call('channels.add', { phoneNumberId: PHONE });
  const { token } = await collector.call('collector.tokens.create', {});
  const server = await startServer({ host: collector.host, apiToken: 'x' });
  closers.push(async () => {
    await server.close();
    await collector.close();
  });
  await deliverAll(server.url, secret, bodies);
  await ready(collector);
  expect(await collector.call('conversions.status', {})).toMatchObject({ pending: SENDABLE });

  await d.call('collector.configure', { url: server.url, token });
  expect(await d.call('collector.sync', {})).toMatchObject({ handedOver: SENDABLE });
  expect(await collector.call('conversions.send', {})).toMatchObject({ sent: 0 });
  expect(await collector.call('conversions.status', {})).toMatchObject({ sent: SENDABLE, pending: 0 });
  const reasons = (await collector.call('conversions.list', { state: 'sent' })).entries.map(
    (e) => e.errorCode,
  );
  expect(reasons).toEqual(Array(SENDABLE).fill('sent_elsewhere'));
  expect([...meta.ledger.counts().values()]).toEqual(Array(SENDABLE).fill(1));

  // The desktop keeps its own record of what it sent, and shows the rest as the collector has it.
  await d.call('collector.sync', {});
  expect(await d.call('conversions.status', {})).toMatchObject({
    sent: SENDABLE,
    notSendable: 1,
    pending: 0,
  });
});
