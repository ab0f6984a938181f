import { afterEach, describe, expect, it } from 'vitest';
import type { GraphErrorBody } from '../../../src/core/meta/graph-error';
import {
  eventsFault,
  type FakeCapi,
  RESTRICTED_REGION,
  SUBCODE_NAME_NOT_ACCEPTED,
  SUBCODE_TOO_OLD,
  startFakeCapi,
} from '../../fakes/fake-capi';
import { serverError, throttled, tokenExpired } from '../../fakes/fake-graph';
import { testFixture } from '../../fakes/meta-fixture';

// The fake Conversions API's own rules, so tests of the sender can trust what it accepts and refuses.

const TOKEN = testFixture().token;
const NOW = Date.parse('2026-11-20T12:00:00Z');
const NOW_S = NOW / 1000;
const WABA = '102290129340398';
const WABA_EU = '102290129340399';
let fake: FakeCapi;
afterEach(() => fake?.close());

const start = (extra: Partial<Parameters<typeof startFakeCapi>[0]> = {}) =>
  startFakeCapi({
    wabas: [
      { id: WABA, datasetId: '1234567890123' },
      { id: WABA_EU, restricted: true },
    ],
    now: () => NOW,
    ...extra,
  });

const event = (id: string, over: Record<string, unknown> = {}) => ({
  event_name: 'LeadSubmitted',
  event_time: NOW_S - 3600,
  action_source: 'business_messaging',
  messaging_channel: 'whatsapp',
  user_data: { whatsapp_business_account_id: WABA, ctwa_clid: `clid-${id}` },
  event_id: id,
  ...over,
});

interface Answer {
  id?: string;
  data?: unknown[];
  events_received?: number;
  messages?: unknown[];
  fbtrace_id?: string;
  error?: GraphErrorBody;
}

async function call(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${fake.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}
const send = (data: unknown[], extra: Record<string, unknown> = {}, dataset = '1234567890123') =>
  call('POST', `/v25.0/${dataset}/events`, { data, ...extra });

describe('fake Conversions API', () => {
  it('datasets: GET finds the existing one or answers empty; POST creates one once', async () => {
    fake = await start();
    expect(await call('GET', `/v25.0/${WABA}/dataset`)).toEqual({
      status: 200,
      body: { id: '1234567890123' },
    });
    expect((await call('GET', `/v25.0/${WABA_EU}/dataset`)).body).toEqual({ data: [] });
    const created = await call('POST', `/v25.0/${WABA_EU}/dataset`);
    expect(created.body.id).toMatch(/^\d+$/);
    expect((await call('POST', `/v25.0/${WABA_EU}/dataset`)).body.id).toBe(created.body.id);
    expect((await call('GET', `/v25.0/${WABA_EU}/dataset`)).body.id).toBe(created.body.id);
    const unknown = await call('GET', '/v25.0/555555555/dataset');
    expect(unknown.body.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await call('GET', `/v25.0/${WABA}/dataset`, undefined, 'EAAwrong')).body.error?.code).toBe(190);
    // The token only as a Bearer header.
    expect(
      (await call('GET', `/v25.0/${WABA}/dataset?access_token=${TOKEN}`, undefined, null)).body.error?.code,
    ).toBe(190);
  });

  it('accepts well-formed events and keeps a ledger per event_id', async () => {
    fake = await start();
    const purchase = event('p1', {
      event_name: 'Purchase',
      custom_data: { currency: 'EUR', value: 12.5 },
    });
    const r = await send([event('a'), purchase], { test_event_code: 'TEST123', partner_agent: 'insights' });
    expect(r).toEqual({
      status: 200,
      body: { events_received: 2, messages: [], fbtrace_id: expect.any(String) },
    });
    await send([event('a')]);
    expect(fake.ledger.count('a')).toBe(2);
    expect(fake.ledger.count('p1')).toBe(1);
    expect(fake.ledger.duplicates()).toEqual(['a']);
    expect(fake.ledger.events[1]).toMatchObject({
      eventName: 'Purchase',
      customData: { currency: 'EUR', value: 12.5 },
      testEventCode: 'TEST123',
      wabaId: WABA,
      ctwaClid: 'clid-p1',
    });
    expect(fake.eventRequests()).toHaveLength(2);
  });

  it.each([
    ['an unknown event name', { event_name: 'Lead' }, /event_name/],
    ['event_time in milliseconds', { event_time: NOW }, /future/],
    ['event_time as a string', { event_time: String(NOW_S) }, /event_time/],
    ['another action_source', { action_source: 'website' }, /action_source/],
    ['another channel', { messaging_channel: 'messenger' }, /messaging_channel/],
    [
      'another WABA',
      { user_data: { whatsapp_business_account_id: WABA_EU, ctwa_clid: 'x' } },
      /whatsapp_business_account_id/,
    ],
    ['no click id', { user_data: { whatsapp_business_account_id: WABA, ctwa_clid: ' ' } }, /ctwa_clid/],
    ['a bad currency', { custom_data: { currency: 'EURO', value: 1 } }, /currency/],
    ['a value as a string', { custom_data: { currency: 'EUR', value: '1' } }, /value/],
    ['a Purchase without value', { event_name: 'Purchase' }, /Purchase/],
    ['no event_id', { event_id: 42 }, /event_id/],
  ])('refuses the whole request for %s', async (_what, over, message) => {
    fake = await start();
    const r = await send([event('ok'), event('bad', over)]);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 100, error_user_msg: expect.stringMatching(message) });
    expect(r.body.error?.error_user_msg).toContain('data[1]');
    expect(fake.ledger.events).toEqual([]);
  });

  it('refuses an empty batch, more than 1,000 events, and an unknown dataset', async () => {
    fake = await start();
    expect((await send([])).status).toBe(400);
    const many = Array.from({ length: 1001 }, (_, i) => event(`e${i}`));
    expect((await send(many)).body.error?.error_user_msg).toMatch(/1000/);
    expect((await send(many.slice(0, 1000))).body.events_received).toBe(1000);
    expect((await send([event('x')], {}, '999')).body.error).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it('refuses the whole request when one event is older than 7 days (2804003)', async () => {
    fake = await start();
    const r = await send([event('new'), event('old', { event_time: NOW_S - 7 * 86_400 - 1 })]);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 100, error_subcode: SUBCODE_TOO_OLD });
    expect(r.body.error?.error_user_msg).toMatch(/too far in the past/);
    expect(fake.ledger.count('new')).toBe(0);
    // Exactly 7 days is still in time.
    expect((await send([event('edge', { event_time: NOW_S - 7 * 86_400 })])).status).toBe(200);
  });

  it('answers 2804066 for listed names Meta does not accept, and the EU restriction per WABA', async () => {
    fake = await start();
    const r = await send([event('q', { event_name: 'QualifiedLead' })]);
    expect(r.body.error).toMatchObject({ code: 100, error_subcode: SUBCODE_NAME_NOT_ACCEPTED });
    const ds = (await call('POST', `/v25.0/${WABA_EU}/dataset`)).body.id as string;
    const eu = event('eu', { user_data: { whatsapp_business_account_id: WABA_EU, ctwa_clid: 'c' } });
    expect((await send([eu], {}, ds)).body.error?.message).toBe(RESTRICTED_REGION);
    fake.restrict(WABA_EU, false);
    expect((await send([eu], {}, ds)).body.events_received).toBe(1);
  });

  it('scripted faults on /events only: throttling, a 5xx burst, 190', async () => {
    fake = await start({
      faults: [
        eventsFault(1, () => throttled(80004)),
        eventsFault(2, serverError),
        eventsFault(1, tokenExpired),
      ],
    });
    expect((await call('GET', `/v25.0/${WABA}/dataset`)).status).toBe(200);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await send([event(`f${i}`)]));
    expect(
      answers.map((a) => [a.status, a.body.error?.code ?? null, a.body.error?.is_transient ?? null]),
    ).toEqual([
      [400, 80004, true],
      [500, 1, null],
      [500, 1, null],
      [400, 190, null],
      [200, null, null],
    ]);
    expect([...fake.ledger.counts().keys()]).toEqual(['f4']);
  });

  it('holds a request; a client that hangs up meanwhile changes nothing', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    fake = await start({ hold: (req) => (req.path.endsWith('/events') ? held : undefined) });
    const controller = new AbortController();
    const pending = fetch(`${fake.url}/v25.0/1234567890123/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ data: [event('h')] }),
      signal: controller.signal,
    }).catch((err: Error) => err.name);
    await expect.poll(() => fake.log.length).toBe(1);
    controller.abort();
    expect(await pending).toBe('AbortError');
    await expect.poll(() => fake.log[0]!.aborted).toBe(true);
    release();
    // Answered after the hold ends: the next request goes through, the abandoned one left no trace.
    expect((await send([event('after')])).status).toBe(200);
    expect([...fake.ledger.counts().keys()]).toEqual(['after']);
  });
});
