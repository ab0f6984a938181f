import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rebuildDerived } from '../../../src/core/attribution/rebuild';
import { activePrefix } from '../../../src/core/attribution/tables';
import type { Db } from '../../../src/core/db/open';
import { ingestPayloads } from '../../../src/core/ingest/ingest';
import { graphError } from '../../../src/core/meta/demo-graph';
import {
  eventsFault,
  type FakeCapi,
  RESTRICTED_REGION,
  SUBCODE_NAME_NOT_ACCEPTED,
  startFakeCapi,
} from '../../fakes/fake-capi';
import { serverError, throttled, tokenExpired } from '../../fakes/fake-graph';
import { testFixture } from '../../fakes/meta-fixture';
import { makeTestCore, type TestCore } from '../../helpers/core';
import { textDelivery } from '../../helpers/webhook';
import { type Ext, feed, type Msg, PHONE, seed } from '../attribution/feed';

// The real sender against the fake Conversions API (INSIGHTS_GRAPH_URL): what is planned from the derived
// data, what Meta receives (each event once), and the outbox state of every answer Meta can give.

const WABA = '102290129340398';
const DATASET = '900000000000077';
const fixture = testFixture({ permissions: ['ads_read', 'whatsapp_business_manage_events'] });
const nowS = Math.floor(Date.now() / 1000);

let core: TestCore;
let db: Db;
let fake: FakeCapi;

const ad = (clid?: string, adId = '77') => ({
  source_type: 'ad',
  source_id: adId,
  headline: 'Spring',
  ...(clid ? { ctwa_clid: clid } : {}),
});

/** An ad conversation `n` hours ago with a "Book now" reply a minute later. */
function adLead(n: number, contact: string, clid: string | undefined, hoursAgo: number): Msg[] {
  const ts = nowS - hoursAgo * 3600;
  return [
    { id: `wamid.${n}a`, ts, text: 'hi', referral: ad(clid), contact },
    { id: `wamid.${n}b`, ts: ts + 60, button: { text: 'Book now' }, contact },
  ];
}

/** The same ad lead as Cloud API deliveries: the ad click, then the "Book now" reply a minute later. */
function delivery(waId: string, clid: string, hoursAgo: number, id: string): unknown[] {
  const ts = nowS - hoursAgo * 3600;
  const base = { phoneNumberId: PHONE, wabaId: WABA, waId, body: 'hi' };
  return [
    textDelivery({ ...base, id: `wamid.${id}a`, ts, referral: { adId: '77', clid } }),
    textDelivery({ ...base, id: `wamid.${id}b`, ts: ts + 60, button: 'Book now' }),
  ];
}

async function start(faults: Parameters<typeof startFakeCapi>[0]['faults'] = [], restricted = false) {
  fake = await startFakeCapi({ fixture, wabas: [{ id: WABA, datasetId: DATASET, restricted }], faults });
  process.env.INSIGHTS_GRAPH_URL = fake.url;
  await core.call('meta.connectToken', { token: fixture.token });
}

async function enable(
  eventId = 'button:Book now',
  metaEvent: 'LeadSubmitted' | 'Purchase' | 'QualifiedLead' = 'LeadSubmitted',
  value = false,
) {
  await core.call('conversions.map', { eventId, metaEvent, value });
  await core.call('conversions.configure', { enabled: true });
}

const states = () =>
  Object.fromEntries(
    (
      db.prepare('SELECT conversation, state FROM capi_outbox ORDER BY conversation').all() as {
        conversation: string;
        state: string;
      }[]
    ).map((r) => [r.conversation, r.state]),
  );

beforeEach(() => {
  core = makeTestCore();
  db = seed(core.db());
  db.prepare('UPDATE business_numbers SET waba_id = ? WHERE phone_number_id = ?').run(WABA, PHONE);
});

afterEach(async () => {
  delete process.env.INSIGHTS_GRAPH_URL;
  await fake?.close();
  await core.close();
});

describe('conversions to Meta: planning and sending', () => {
  it('sends each ad lead with a click id once, with every field Meta needs; a Status placement is not sendable', async () => {
    feed(db, { messages: [...adLead(1, '4911', 'ARAclid1', 30), ...adLead(2, '4922', undefined, 20)] });
    await start();
    await enable();
    const r = await core.call('conversions.send', {});
    expect(r).toMatchObject({ sent: 1, batches: 1, lastError: null });
    expect(r.counts).toMatchObject({ sent: 1, notSendable: 1, pending: 0 });
    const [e] = fake.ledger.events;
    expect(e).toMatchObject({
      eventName: 'LeadSubmitted',
      eventTime: nowS - 30 * 3600 + 60,
      datasetId: DATASET,
      wabaId: WABA,
      ctwaClid: 'ARAclid1',
      customData: null,
      partnerAgent: 'insights-desktop',
    });
    const row = db.prepare("SELECT * FROM capi_outbox WHERE conversation = 'wamid.1a'").get() as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({ state: 'sent', events_received: 1, event_id: e!.eventId });
    expect(row.fbtrace_id).toEqual(expect.any(String));
    const status = await core.call('conversions.status', {});
    expect(status).toMatchObject({ sent: 1, notSendable: 1, needsLogin: false, enabled: true });
    const list = await core.call('conversions.list', { state: 'not_sendable' });
    expect(list.entries[0]!.error).toMatch(/no click id/);
    // The authorization travels in the header, never in the URL.
    expect(
      fake
        .eventRequests()
        .every((q) => q.authorization === `Bearer ${fixture.token}` && !q.path.includes('token')),
    ).toBe(true);
  });

  it('sends value and currency from the revenue of a mapped external event', async () => {
    feed(db, {
      messages: adLead(1, '4911', 'ARAclid1', 30),
      events: [
        {
          id: 'x1',
          action: 'Purchase',
          ts: nowS - 29 * 3600,
          contact: '4911',
          amount: 49.9,
          currency: 'EUR',
        } as Ext,
      ],
    });
    await start();
    await enable('ext:Purchase', 'Purchase', true);
    await core.call('conversions.send', {});
    expect(fake.ledger.events.map((e) => [e.eventName, e.customData])).toEqual([
      ['Purchase', { currency: 'EUR', value: 49.9 }],
    ]);
  });

  it('sends nothing new after a rebuild, a re-import of the same webhooks and a second send', async () => {
    const deliveries = [
      ...delivery('4911', 'ARAclid1', 30, 'w1'),
      ...delivery('4922', 'ARAclid2', 10, 'w2'),
    ].map((body) => ({ body, origin: 'webhook' as const }));
    ingestPayloads(db, deliveries);
    await start();
    await enable();
    await core.call('conversions.send', {});
    expect(fake.ledger.events).toHaveLength(2);
    rebuildDerived(db);
    ingestPayloads(db, deliveries);
    const again = await core.call('conversions.send', {});
    expect(again.sent).toBe(0);
    expect(fake.ledger.duplicates()).toEqual([]);
    expect(fake.ledger.events).toHaveLength(2);
  });

  it('queues the last 7 days when first turned on; older conversions are never queued', async () => {
    feed(db, {
      messages: [...adLead(1, '4911', 'ARAclid1', 8 * 24), ...adLead(2, '4922', 'ARAclid2', 6 * 24)],
    });
    await start();
    await enable();
    expect(states()).toEqual({ 'wamid.2a': 'pending' });
  });

  it('does not send an occurrence twice when attribution moves it to another ad conversation', async () => {
    // A purchase attributed to the contact's ad conversation A and sent; then a later-delivered ad click B
    // (before the purchase) takes the purchase over: B is a new conversation, the purchase is not resent.
    feed(db, {
      messages: [
        { id: 'wamid.A', ts: nowS - 10 * 3600, text: 'hi', referral: ad('ARAclidA'), contact: '4911' },
      ],
      events: [
        {
          id: 'x1',
          action: 'Purchase',
          ts: nowS - 3600,
          contact: '4911',
          amount: 10,
          currency: 'EUR',
        } as Ext,
      ],
    });
    await start();
    await enable('ext:Purchase', 'Purchase', true);
    await core.call('conversions.send', {});
    feed(db, {
      messages: [
        { id: 'wamid.B', ts: nowS - 2 * 3600, text: 'hi', referral: ad('ARAclidB', '78'), contact: '4911' },
      ],
    });
    const moved = db
      .prepare(
        `SELECT c.first_message_id FROM ${activePrefix(db)}external x JOIN ${activePrefix(db)}conversations c ON c.id = x.conv WHERE x.event_id = 'x1'`,
      )
      .pluck()
      .get();
    expect(moved).toBe('wamid.B');
    await core.call('conversions.send', {});
    expect(fake.ledger.events).toHaveLength(1);
    expect(fake.ledger.events[0]!.ctwaClid).toBe('ARAclidA');
  });

  it('sends in requests of at most 1,000 events', async () => {
    const msgs: Msg[] = [];
    for (let i = 0; i < 2100; i++) msgs.push(...adLead(i, `49${1000 + i}`, `clid${i}`, 5 + (i % 50) / 10));
    feed(db, { messages: msgs });
    await start();
    await enable();
    const r = await core.call('conversions.send', {});
    expect(r).toMatchObject({ sent: 2100, batches: 3 });
    expect(fake.eventRequests().map((q) => (JSON.parse(q.body) as { data: unknown[] }).data.length)).toEqual([
      1000, 1000, 100,
    ]);
    expect(fake.ledger.duplicates()).toEqual([]);
  });
});

describe('conversions to Meta: what Meta answers', () => {
  beforeEach(() => {
    feed(db, { messages: [...adLead(1, '4911', 'ARAclid1', 30), ...adLead(2, '4922', 'ARAclid2', 10)] });
  });

  it('a refused event name is rejected, not retried, and the mapping is flagged', async () => {
    await start();
    await enable('button:Book now', 'QualifiedLead');
    const r = await core.call('conversions.send', {});
    expect(r.counts).toMatchObject({ rejected: 2, sent: 0 });
    const [e] = (await core.call('conversions.list', {})).entries;
    expect(e).toMatchObject({ state: 'rejected', errorCode: 'name_not_accepted' });
    expect(e!.error).toMatch(/QualifiedLead/);
    expect(db.prepare('SELECT rejected_at FROM capi_mappings').pluck().get()).toEqual(expect.any(Number));
    await core.call('conversions.send', {});
    expect(fake.eventRequests()).toHaveLength(1);
    expect(SUBCODE_NAME_NOT_ACCEPTED).toBe(2804066);
  });

  it("shows Meta's EU restriction as such", async () => {
    await start([], true);
    await enable();
    await core.call('conversions.send', {});
    const [e] = (await core.call('conversions.list', {})).entries;
    expect(e).toMatchObject({ state: 'rejected', errorCode: 'restricted_region' });
    expect(e!.error).toContain(RESTRICTED_REGION);
  });

  it('throttling and 5xx bursts leave entries failed for a later retry, then each is sent once', async () => {
    await start([eventsFault(1, () => throttled(80004)), eventsFault(3, serverError)]);
    await enable();
    const first = await core.call('conversions.send', {});
    expect(first.counts).toMatchObject({ failed: 2, sent: 0 });
    expect(first.lastError).toMatch(/rate-limiting|Meta/);
    const next = db.prepare('SELECT min(next_attempt_at) FROM capi_outbox').pluck().get() as number;
    expect(next).toBeGreaterThan(Date.now() + 30_000);
    // Not due yet: nothing is sent.
    expect((await core.call('conversions.send', {})).sent).toBe(0);
    db.prepare('UPDATE capi_outbox SET next_attempt_at = 0').run();
    const second = await core.call('conversions.send', {}); // the 5xx burst outlasts the client's own retries
    expect(second.counts).toMatchObject({ failed: 2 });
    db.prepare('UPDATE capi_outbox SET next_attempt_at = 0').run();
    const third = await core.call('conversions.send', {});
    expect(third.counts).toMatchObject({ sent: 2, failed: 0 });
    expect(fake.ledger.duplicates()).toEqual([]);
    expect(fake.ledger.events).toHaveLength(2);
  });

  it('a 190 stops the sender and shows "needs login"; the entries stay pending', async () => {
    await start([eventsFault(1, tokenExpired)]);
    await enable();
    const r = await core.call('conversions.send', {});
    expect(r.counts).toMatchObject({ pending: 2, sent: 0 });
    expect(await core.call('conversions.status', {})).toMatchObject({ needsLogin: true });
    expect(fake.eventRequests()).toHaveLength(1);
  });

  it('a request refused for one bad event is split until that event is found; the others are sent', async () => {
    let n = 0;
    await start([
      (req) => {
        if (!req.path.endsWith('/events')) return undefined;
        const body = JSON.parse(req.body) as { data: { user_data: { ctwa_clid: string } }[] };
        n++;
        return body.data.some((e) => e.user_data.ctwa_clid === 'ARAclid1')
          ? graphError(400, 100, 'Invalid parameter', undefined, { error_user_msg: 'ctwa_clid is invalid' })
          : undefined;
      },
    ]);
    await enable();
    await core.call('conversions.send', {});
    expect(states()).toEqual({ 'wamid.1a': 'rejected', 'wamid.2a': 'sent' });
    expect(n).toBe(3);
  });

  it('an event Meta finds older than 7 days expires; the rest of its request is sent', async () => {
    db.prepare('DELETE FROM messages').run();
    rebuildDerived(db);
    feed(db, {
      messages: [...adLead(1, '4911', 'ARAclid1', 7 * 24 - 0.05), ...adLead(2, '4922', 'ARAclid2', 10)],
    });
    // Meta's clock runs ten minutes ahead of ours: the first event is too old for it, not for us.
    fake = await startFakeCapi({
      fixture,
      wabas: [{ id: WABA, datasetId: DATASET }],
      now: () => Date.now() + 600_000,
    });
    process.env.INSIGHTS_GRAPH_URL = fake.url;
    await core.call('meta.connectToken', { token: fixture.token });
    await enable();
    await core.call('conversions.send', {});
    expect(states()).toEqual({ 'wamid.1a': 'expired', 'wamid.2a': 'sent' });
    expect(fake.ledger.events.map((e) => e.ctwaClid)).toEqual(['ARAclid2']);
  });

  it('a dry run shows the exact requests and sends nothing', async () => {
    await start();
    await enable();
    const r = await core.call('conversions.send', { dryRun: true, testEventCode: 'TEST123' });
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0]).toMatchObject({ datasetId: DATASET, path: `${DATASET}/events` });
    expect(r.requests[0]!.body).toMatchObject({
      test_event_code: 'TEST123',
      data: [{ event_name: 'LeadSubmitted' }, { event_name: 'LeadSubmitted' }],
    });
    expect(JSON.stringify(r)).not.toContain(fixture.token);
    expect(fake.eventRequests()).toHaveLength(0);
    expect(r.counts.pending).toBe(2);
  });
});

describe('conversions to Meta: a sender killed halfway', () => {
  it('sends each event exactly once after a SIGKILL during a request and a restart', async () => {
    const msgs: Msg[] = [];
    for (let i = 0; i < 2500; i++) msgs.push(...adLead(i, `49${1000 + i}`, `clid${i}`, 5 + (i % 50) / 10));
    feed(db, { messages: msgs });
    let reached!: () => void;
    const atSecond = new Promise<void>((r) => {
      reached = r;
    });
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let eventsRequests = 0;
    let inFlight: { aborted: boolean } | undefined;
    fake = await startFakeCapi({
      fixture,
      wabas: [{ id: WABA, datasetId: DATASET }],
      hold: (req) => {
        if (!req.path.endsWith('/events') || ++eventsRequests !== 2) return undefined;
        inFlight = req;
        reached();
        return held;
      },
    });
    process.env.INSIGHTS_GRAPH_URL = fake.url;
    await core.call('meta.connectToken', { token: fixture.token });
    await enable();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'tests/helpers/send-process.ts', core.dataDir, fake.url],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise((r) => child.on('exit', r));
    await atSecond;
    child.kill('SIGKILL');
    await exited;
    // The fake sees the hang-up as its own event, after or before the exit: released only once it has
    // (a request whose client is gone is not processed, as the fake models Meta).
    await vi.waitFor(() => expect(inFlight?.aborted).toBe(true), { timeout: 5_000 });
    release();
    // The first request was answered and recorded; the one in flight and the third were not.
    expect(states()['wamid.0a']).toBeDefined();
    const counts = db.prepare('SELECT state, COUNT(*) AS n FROM capi_outbox GROUP BY state').all();
    expect(counts).toEqual([
      { state: 'pending', n: 1500 },
      { state: 'sent', n: 1000 },
    ]);
    const r = await core.call('conversions.send', {});
    expect(r.counts).toMatchObject({ sent: 2500, pending: 0 });
    expect(fake.ledger.events).toHaveLength(2500);
    expect(fake.ledger.duplicates()).toEqual([]);
  }, 60_000);
});
