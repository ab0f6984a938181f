import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/cli/index';
import { type RunningServer, startServer } from '../../../src/core/server/server';
import { makeTestCore, type TestCore } from '../../helpers/core';

// Issue 14, items 1–2: absurd times and numbers are refused at the boundary (400 naming the field,
// quarantined), a delivery's readable part is stored, and nothing already stored can break a read.

let core: TestCore;
let server: RunningServer;
let secret: string;
let apiKey: string;
const CHANNEL = '1234567890';
const NOW = Math.floor(Date.now() / 1000);

const hook = (body: unknown) =>
  fetch(`${server.url}/webhooks/360dialog/${CHANNEL}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
  });

const message = (id: string, from: unknown, timestamp: unknown) => ({
  from,
  id,
  timestamp,
  type: 'text',
  text: { body: `hello ${id}` },
});
const change = (messages: unknown[], statuses: unknown[] = []) => ({
  field: 'messages',
  value: {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '15550001111', phone_number_id: CHANNEL },
    contacts: [{ profile: { name: 'K' }, wa_id: '4915100000001' }],
    messages,
    statuses,
  },
});
const delivery = (...changes: unknown[]) => ({
  object: 'whatsapp_business_account',
  entry: changes.map((c, i) => ({ id: `W${i}`, changes: [c] })),
});

const count = (sql: string, ...args: unknown[]) =>
  (
    core
      .db()
      .prepare(sql)
      .get(...args) as { n: number }
  ).n;

beforeAll(async () => {
  core = makeTestCore();
  server = await startServer({ host: core.host, apiToken: null, port: 0 });
  secret = (await core.call('channels.add', { phoneNumberId: CHANNEL })).secret;
  apiKey = (await core.call('keys.create', { name: 'shop' })).key;
});
afterAll(async () => {
  await server.close();
  await core.close();
});

describe('times outside 2009-01-01 … a day ahead are refused at the boundary', () => {
  it.each([
    ['99999999999999999999', 'a time more than a day in the future'],
    [1e21, 'a time more than a day in the future'],
    [1e308, 'a time more than a day in the future'],
    [String(NOW + 3 * 86_400), 'a time more than a day in the future'],
    [100_000_000_000 - 1, 'a time more than a day in the future'], // year 5138
    ['1000', 'a time before 2009-01-01'],
  ])('status timestamp %s → 400 naming the field, quarantined, nothing stored', async (ts, why) => {
    const qBefore = count('SELECT count(*) AS n FROM quarantine');
    const body = delivery({
      ...change([]),
      value: {
        ...change([]).value,
        statuses: [{ id: `wamid.S.${ts}`, status: 'sent', timestamp: ts, recipient_id: '4915100000001' }],
      },
    });
    const r = await hook(body);
    expect(r.status).toBe(400);
    const err = ((await r.json()) as { error: { message: string } }).error.message;
    expect(err).toContain('entry[0].changes[0].value.statuses[0].timestamp');
    expect(err).toContain(why);
    expect(count('SELECT count(*) AS n FROM statuses WHERE message_id = ?', `wamid.S.${ts}`)).toBe(0);
    expect(count('SELECT count(*) AS n FROM quarantine')).toBe(qBefore + 1);
    expect((await core.call('phones.list', {})).length).toBeGreaterThanOrEqual(0);
  });

  it('a time a few hours ahead (a fast clock) is accepted', async () => {
    expect(
      (await hook(delivery(change([message('wamid.soon', '4915100000001', String(NOW + 3600))])))).status,
    ).toBe(200);
  });

  it('external events: absurd timestamps and amounts are 400 with the field, never 500', async () => {
    for (const [event, field] of [
      [{ timestamp: 1e21 }, 'external_event.timestamp'],
      [{ timestamp: 1e308 }, 'external_event.timestamp'],
      [{ timestamp: '+275760-09-13T00:00:00Z' }, 'external_event.timestamp'],
      [{ timestamp: '1999-01-01T00:00:00Z' }, 'external_event.timestamp'],
      [{ revenue: { amount: 1e308, currency: 'EUR' } }, 'external_event.revenue.amount'],
    ] as const) {
      const r = await fetch(`${server.url}/clients/shop/external-events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          api_key: apiKey,
          external_event: { action: 'Bought', lead_phone: '+49 151 00000001', ...event },
        }),
      });
      expect(r.status, JSON.stringify(event)).toBe(400);
      expect(((await r.json()) as { error: { field: string } }).error.field).toBe(field);
    }
    expect(count('SELECT count(*) AS n FROM external_events')).toBe(0);
  });
});

describe('a delivery with valid and invalid parts', () => {
  it('stores the valid entries, quarantines the invalid part with its reason, answers 200', async () => {
    const body = delivery(
      change([message('wamid.good1', '4915100000001', String(NOW - 60))]),
      change([message('wamid.badsender', 1e21, String(NOW - 60))]),
      change([
        message('wamid.good2', '4915100000001', String(NOW - 30)),
        message('wamid.badtime', '4915100000001', '99999999999999999999'),
      ]),
    );
    const r = await hook(body);
    expect(r.status).toBe(200);
    const answer = (await r.json()) as { ok: boolean; warning: string };
    expect(answer.ok).toBe(true);
    expect(answer.warning).toContain('entry[1].changes[0].value.messages[0]');
    expect(answer.warning).toContain('entry[2].changes[0].value.messages[1].timestamp');
    const ids = core
      .db()
      .prepare(
        "SELECT id FROM messages WHERE id LIKE 'wamid.%' AND id IN ('wamid.good1','wamid.good2','wamid.badsender','wamid.badtime') ORDER BY id",
      )
      .pluck()
      .all();
    expect(ids).toEqual(['wamid.good1', 'wamid.good2']);
    const q = core.db().prepare('SELECT reason, body FROM quarantine ORDER BY id DESC LIMIT 1').get() as {
      reason: string;
      body: Buffer;
    };
    expect(q.reason).toMatch(/^not stored: entry\[1\]/);
    const part = JSON.parse(q.body.toString('utf8')) as {
      entry: { changes: { value: { messages: { id: string }[] } }[] }[];
    };
    expect(part.entry.flatMap((e) => e.changes.flatMap((c) => c.value.messages.map((m) => m.id)))).toEqual([
      'wamid.badsender',
      'wamid.badtime',
    ]);
    // 360dialog retries the same body: stored once, quarantined once.
    const qCount = count('SELECT count(*) AS n FROM quarantine');
    expect((await hook(body)).status).toBe(200);
    expect(count('SELECT count(*) AS n FROM quarantine')).toBe(qCount);
    // Retrying the quarantined part still fails, for the same reasons.
    const id = (core.db().prepare('SELECT max(id) AS n FROM quarantine').get() as { n: number }).n;
    expect(await core.call('quarantine.retry', { id })).toEqual({ retried: 1, stored: 0, stillBad: 1 });
  });

  it('a delivery whose every message is invalid is refused whole (400)', async () => {
    const r = await hook(delivery(change([message('wamid.allbad', '4915100000001', 1e21)])));
    expect(r.status).toBe(400);
    expect(count("SELECT count(*) AS n FROM messages WHERE id = 'wamid.allbad'")).toBe(0);
  });
});

describe('what is already stored never breaks a read', () => {
  it('phones.list, report.get and the CLI phones command tolerate absurd stored times', async () => {
    const db = core.db();
    // An old database may hold what the boundary now refuses.
    db.prepare(
      "INSERT INTO business_numbers (phone_number_id, first_message_at, last_message_at) VALUES ('999', -1e17, 1e17)",
    ).run();
    db.prepare(
      "INSERT INTO messages (id, phone_number_id, contact_id, direction, ts, type, text) VALUES ('wamid.absurd', ?, '4915100000001', 'in', 1e17, 'text', 'x')",
    ).run(CHANNEL);
    const phones = await core.call('phones.list', {});
    const bad = phones.find((p) => p.id === '999')!;
    expect(bad.firstMessageAt).toBeNull();
    expect(bad.lastMessageAt).toBeNull();
    const report = await core.call('report.get', { phone: CHANNEL, range: { preset: '30d' } } as never);
    expect(report).toBeTruthy();
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out.push(String(s));
      return true;
    });
    try {
      await buildProgram()
        .exitOverride()
        .parseAsync(['node', 'insights', '--data-dir', core.dataDir, 'phones', '--format', 'json']);
    } finally {
      write.mockRestore();
    }
    const listed = JSON.parse(out.join('')) as { id: string; lastMessageAt: string | null }[];
    expect(listed.find((p) => p.id === '999')?.lastMessageAt).toBeNull();
  });
});
