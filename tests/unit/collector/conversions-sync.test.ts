import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSentConversions, recordSentElsewhere } from '../../../src/core/collector/handover';
import { mirrorOutboxRows, toMirroredRow } from '../../../src/core/collector/outbox-mirror';
import { outboxEventId } from '../../../src/core/conversions/outbox';
import { type RunningServer, startServer } from '../../../src/core/server/server';
import { makeTestCore, type TestCore } from '../../helpers/core';
import { insertOutboxRow, outboxStates, setOutboxState } from '../../helpers/outbox-rows';

// Conversions to Meta between a collector and a desktop over real HTTP: the desktop mirrors the
// collector's outbox (the collector sends), and hands over what it sent itself before it was connected
// (POST /v1/conversions/sent), so no event reaches Meta from both.

let collector: TestCore;
let desktop: TestCore;
let server: RunningServer;
let readToken: string;

beforeAll(async () => {
  collector = makeTestCore();
  readToken = (await collector.call('collector.tokens.create', { name: 'laptop' })).token;
  server = await startServer({ host: collector.host, apiToken: 'not-used-here' });
});
afterAll(async () => {
  await server.close();
  await collector.close();
});
beforeEach(() => {
  desktop = makeTestCore();
  collector.db().prepare('DELETE FROM capi_outbox').run();
});
afterEach(async () => {
  await desktop.close();
});

const post = (body: unknown, token = readToken) =>
  fetch(`${server.url}/v1/conversions/sent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const entry = (conversation: string, over: Record<string, unknown> = {}) => ({
  eventId: outboxEventId(conversation, 'ext:Purchase', 'Purchase'),
  conversation,
  phoneNumberId: '5550001',
  sourceKey: 'ad:120210000000001',
  eventKey: 'ext:Purchase',
  metaEvent: 'Purchase',
  occurrence: `occ.${conversation}`,
  eventTime: Math.floor(Date.now() / 1000) - 3600,
  sentAt: Date.now() - 60_000,
  ...over,
});

describe('the desktop mirrors the collector outbox', () => {
  it("keeps the collector's rows with origin 'collector', and each later change of their state", async () => {
    const c = collector.db();
    const pending = insertOutboxRow(c, { conversation: 'wamid.c1' });
    const sent = insertOutboxRow(c, { conversation: 'wamid.c2', state: 'sent' });
    const notSendable = insertOutboxRow(c, {
      conversation: 'wamid.c3',
      state: 'not_sendable',
      reason: 'no_click_id',
    });
    await desktop.call('collector.configure', { url: server.url, token: readToken });

    const first = await desktop.call('collector.sync', {});
    expect(first).toMatchObject({ conversions: 3, handedOver: 0 });
    expect(outboxStates(desktop.db())).toEqual({
      [pending]: { state: 'pending', origin: 'collector', reason: null },
      [sent]: { state: 'sent', origin: 'collector', reason: null },
      [notSendable]: { state: 'not_sendable', origin: 'collector', reason: 'no_click_id' },
    });
    expect(await desktop.call('conversions.status', {})).toMatchObject({
      pending: 1,
      sent: 1,
      notSendable: 1,
      sender: { kind: 'collector', collectorUrl: server.url },
    });
    // The click id stays on the collector: a desktop with a collector never sends.
    expect(
      desktop.db().prepare('SELECT COUNT(*) AS n FROM capi_outbox WHERE ctwa_clid IS NOT NULL').get(),
    ).toEqual({ n: 0 });

    setOutboxState(c, pending, 'failed', 'meta_error');
    setOutboxState(c, pending, 'sent');
    expect(await desktop.call('collector.sync', {})).toMatchObject({ conversions: 1 });
    expect(outboxStates(desktop.db())[pending]).toEqual({ state: 'sent', origin: 'collector', reason: null });
    expect(await desktop.call('conversions.status', {})).toMatchObject({
      pending: 0,
      sent: 2,
      notSendable: 1,
    });
    expect(await desktop.call('collector.sync', {})).toMatchObject({ conversions: 0 });
  });

  it('never overwrites what this desktop sent itself, and withdraws its own unsent entry for the same occurrence', () => {
    const d = desktop.db();
    const mine = insertOutboxRow(d, { conversation: 'wamid.m1', state: 'sent' });
    d.prepare("UPDATE capi_outbox SET fbtrace_id = 'trace-here' WHERE event_id = ?").run(mine);
    // Planned here before the collector was connected: same occurrence as the collector's c9, other conversation.
    const rival = insertOutboxRow(d, { conversation: 'wamid.r1', occurrence: 'occ.shared' });
    const row = (conversation: string, state: string, occurrence: string) =>
      toMirroredRow({
        event_id: outboxEventId(conversation, 'ext:Purchase', 'Purchase'),
        conversation,
        phone_number_id: '5550001',
        contact_id: null,
        source_key: 'ad:1',
        event_key: 'ext:Purchase',
        meta_event: 'Purchase',
        occurrence,
        event_time: 1_764_000_000,
        value_micros: null,
        currency: null,
        state,
        reason: state === 'sent' ? 'sent_elsewhere' : null,
        error: null,
        attempts: 0,
        next_attempt_at: null,
        events_received: null,
        fbtrace_id: null,
        sent_at: null,
        created_at: 1,
        updated_at: 1,
      })!;
    const theirs = row('wamid.c9', 'pending', 'occ.shared');
    expect(mirrorOutboxRows(d, [row('wamid.m1', 'sent', 'occ.wamid.m1.ext:Purchase'), theirs])).toBe(1);
    const states = outboxStates(d);
    expect(states[mine]).toEqual({ state: 'sent', origin: 'local', reason: null });
    expect(d.prepare('SELECT fbtrace_id FROM capi_outbox WHERE event_id = ?').get(mine)).toEqual({
      fbtrace_id: 'trace-here',
    });
    expect(states[rival]?.state).toBe('withdrawn');
    expect(states[theirs.event_id]).toEqual({ state: 'pending', origin: 'collector', reason: null });
  });

  it('passes over a feed row that is not what a collector writes', () => {
    const good = {
      event_id: 'a'.repeat(32),
      conversation: 'w',
      phone_number_id: '5550001',
      contact_id: null,
      source_key: 'ad:1',
      event_key: 'ext:Purchase',
      meta_event: 'Purchase',
      occurrence: 'o',
      event_time: 1,
      value_micros: null,
      currency: null,
      state: 'sent',
      reason: null,
      error: null,
      attempts: 0,
      next_attempt_at: null,
      events_received: 3,
      fbtrace_id: null,
      sent_at: null,
      created_at: 1,
      updated_at: 1,
    };
    expect(toMirroredRow(good)).not.toBeNull();
    for (const bad of [
      { state: 'delivered' },
      { event_id: 'A'.repeat(32) },
      { event_time: 1.5 },
      { conversation: '' },
      { error: 'x'.repeat(5000) },
      { attempts: undefined },
      { fbtrace_id: 7 },
    ]) {
      expect(toMirroredRow({ ...good, ...bad })).toBeNull();
    }
  });
});

describe('handover: what a desktop sent before it was connected', () => {
  it('is reported on sync and recorded on the collector as sent elsewhere, once', async () => {
    const d = desktop.db();
    const both = insertOutboxRow(d, { conversation: 'wamid.h1', state: 'sent' });
    const onlyHere = insertOutboxRow(d, { conversation: 'wamid.h2', state: 'sent' });
    insertOutboxRow(d, { conversation: 'wamid.h3', state: 'pending' }); // never reached Meta: not reported
    const c = collector.db();
    expect(insertOutboxRow(c, { conversation: 'wamid.h1' })).toBe(both); // the collector planned it too
    const other = insertOutboxRow(c, { conversation: 'wamid.h4' });

    await desktop.call('collector.configure', { url: server.url, token: readToken });
    expect(await desktop.call('collector.sync', {})).toMatchObject({ handedOver: 2 });
    const states = outboxStates(c);
    expect(states[both]).toEqual({ state: 'sent', origin: 'local', reason: 'sent_elsewhere' });
    expect(states[onlyHere]).toEqual({ state: 'sent', origin: 'local', reason: 'sent_elsewhere' });
    expect(states[other]?.state).toBe('pending');
    expect(Object.keys(states)).toHaveLength(3);
    // The desktop keeps its own record of those sends.
    expect(outboxStates(d)[both]).toEqual({ state: 'sent', origin: 'local', reason: null });
    // Reported once: the next sync has nothing to hand over.
    expect(await desktop.call('collector.sync', {})).toMatchObject({ handedOver: 0 });
  });

  it('fails the sync, in words, while the collector does not take them (an older version, or its proxy)', async () => {
    const d = desktop.db();
    const sent = insertOutboxRow(d, { conversation: 'wamid.o1', state: 'sent' });
    const old = http.createServer((_req, res) => {
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(old.address() as AddressInfo).port}`;
      await desktop.call('collector.configure', { url, token: readToken });
      await expect(desktop.call('collector.sync', {})).rejects.toThrow(
        /does not take the conversions this desktop sent to Meta \(HTTP 404\)/,
      );
      expect((await desktop.call('collector.status', {})).lastError).toMatch(/HTTP 404/);
    } finally {
      await new Promise((resolve) => old.close(resolve));
    }
    // Connected to a collector that takes them, they are handed over then.
    await desktop.call('collector.configure', { url: server.url, token: readToken });
    expect(await desktop.call('collector.sync', {})).toMatchObject({ handedOver: 1 });
    expect(outboxStates(collector.db())[sent]).toMatchObject({ state: 'sent', reason: 'sent_elsewhere' });
  });

  it('an occurrence Meta has from the desktop is not sent from another conversation here either', () => {
    const c = collector.db();
    // Attribution differs: the collector has the desktop's occurrence under another conversation.
    const other = insertOutboxRow(c, { conversation: 'wamid.d1', occurrence: 'occ.x' });
    const reported = entry('wamid.c1', { occurrence: 'occ.x' });
    expect(recordSentElsewhere(c, parseSentConversions({ events: [reported] }))).toEqual({
      ok: true,
      marked: 1,
      alreadySent: 0,
    });
    expect(outboxStates(c)).toEqual({
      [other]: { state: 'sent', origin: 'local', reason: 'sent_elsewhere' },
    });

    // The reported entry is here but withdrawn, and its occurrence moved to a live entry: that one is marked.
    c.prepare('DELETE FROM capi_outbox').run();
    const withdrawn = insertOutboxRow(c, {
      conversation: 'wamid.c2',
      occurrence: 'occ.y',
      state: 'withdrawn',
    });
    const live = insertOutboxRow(c, { conversation: 'wamid.d2', occurrence: 'occ.y' });
    recordSentElsewhere(c, parseSentConversions({ events: [entry('wamid.c2', { occurrence: 'occ.y' })] }));
    expect(outboxStates(c)).toEqual({
      [withdrawn]: { state: 'withdrawn', origin: 'local', reason: null },
      [live]: { state: 'sent', origin: 'local', reason: 'sent_elsewhere' },
    });
  });

  it('can only mark entries as sent: what the collector sent stays as it was', async () => {
    const c = collector.db();
    const sentHere = insertOutboxRow(c, { conversation: 'wamid.k1', state: 'sent' });
    c.prepare("UPDATE capi_outbox SET fbtrace_id = 'collector-trace' WHERE event_id = ?").run(sentHere);
    const before = c.prepare('SELECT * FROM capi_outbox WHERE event_id = ?').get(sentHere);
    const res = await post({ events: [entry('wamid.k1')] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, marked: 0, alreadySent: 1 });
    expect(c.prepare('SELECT * FROM capi_outbox WHERE event_id = ?').get(sentHere)).toEqual(before);
  });

  it('refuses a wrong token and a bad body with a clear error, and changes nothing', async () => {
    const c = collector.db();
    insertOutboxRow(c, { conversation: 'wamid.v1' });
    const before = outboxStates(c);
    const cases: [unknown, RegExp][] = [
      ['not json', /JSON/i],
      [[entry('wamid.v1')], /object/i],
      [{ events: [] }, /events.*at least one/i],
      [{ events: Array.from({ length: 1001 }, (_, i) => entry(`wamid.${i}`)) }, /events.*at most 1,?000/i],
      [
        { events: [entry('wamid.v1', { eventId: 'f'.repeat(32) })] },
        /events\[0\]: its eventId is not the id/,
      ],
      [{ events: [entry('wamid.v1'), entry('wamid.v2', { metaEvent: 'Lead' })] }, /events\[1\]\.metaEvent/],
      [
        { events: [entry('wamid.v1', { eventTime: 'yesterday' })] },
        /events\[0\]\.eventTime: Event time must be a number/,
      ],
      [{ events: [entry('wamid.v1', { eventTime: Math.floor(Date.now() / 1000) + 3 * 86_400 })] }, /future/],
      [{ events: [entry('wamid.v1', { state: 'pending' })] }, /events\[0\]/],
      [{ events: [entry('wamid.v1')], also: 1 }, /also|unrecognized|not expected/i],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const answer = (await res.json()) as { error: { message: string } };
      expect(answer.error.message).toMatch(message);
    }
    for (const token of ['', 'ict1.default.wrong', readToken.replace('default', 'nope')]) {
      expect((await post({ events: [entry('wamid.v1')] }, token)).status).toBe(401);
    }
    expect(outboxStates(c)).toEqual(before);
  });
});
