import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { normalizePayload } from '../../../src/core/ingest/normalize';
import { splitDelivery } from '../../../src/core/ingest/split-delivery';
import { type RunningServer, startServer } from '../../../src/core/server/server';
import { makeTestCore, type TestCore } from '../../helpers/core';

// Issue 14: for any JSON value as a body, the receiver answers 200, 400 or 413 (never 500: the disk
// does not fail here), and a 200 means every counting message of the body is stored exactly once.

let core: TestCore;
let server: RunningServer;
let secret: string;
const CHANNEL = '1234567890';
const NOW = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  core = makeTestCore();
  server = await startServer({ host: core.host, apiToken: null, port: 0 });
  secret = (await core.call('channels.add', { phoneNumberId: CHANNEL })).secret;
});
afterAll(async () => {
  await server.close();
  await core.close();
});

const post = (text: string) =>
  fetch(`${server.url}/webhooks/360dialog/${CHANNEL}`, {
    method: 'POST',
    body: text,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
  });

// Values near the edges: absurd numbers, digits in strings, odd types where ids and times go.
const edgy = fc.oneof(
  { arbitrary: fc.constantFrom(0, -1, 1e21, 1e22, 1e308, 99999999999, NOW + 5 * 86_400, 1.5), weight: 3 },
  { arbitrary: fc.constantFrom('99999999999999999999', '', 'x', '4915100000001', 'US.1234'), weight: 2 },
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
);
/** Mostly the valid value, sometimes an edgy one: each body is near a real delivery, with a few faults. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: edgy as fc.Arbitrary<unknown>, weight: 1 });
/** Absurd timestamps (beyond any Date, or days ahead): a fuzz run once broke the receiver with these. */
const absurdTime = fc.constantFrom(1e21, 1e22, 1e308, '99999999999999999999', String(NOW + 5 * 86_400));
let seq = 0;
const messageArb = fc.record(
  {
    from: mostly(fc.constant('4915100000001')),
    id: mostly(fc.constant(null).map(() => `wamid.p.${seq++}`)),
    timestamp: fc.oneof(fc.constant(String(NOW - 120)), absurdTime, edgy),
    type: mostly(fc.constantFrom('text', 'image', 'reaction', 'system', 'button')),
    text: mostly(fc.record({ body: fc.string() })),
  },
  { requiredKeys: ['from', 'id', 'timestamp', 'type'] },
);
const statusArb = fc.record(
  {
    id: mostly(fc.constant('wamid.s')),
    status: mostly(fc.constantFrom('sent', 'read')),
    timestamp: fc.oneof(fc.constant(String(NOW - 60)), absurdTime, edgy),
    recipient_id: mostly(fc.constant('4915100000002')),
  },
  { requiredKeys: ['id', 'status', 'timestamp', 'recipient_id'] },
);
const valueArb = fc.record(
  {
    metadata: mostly(fc.constant({ phone_number_id: CHANNEL, display_phone_number: '1555' })),
    contacts: mostly(fc.constant([{ wa_id: '4915100000001', profile: { name: 'K' } }])),
    messages: mostly(fc.array(messageArb, { maxLength: 3 })),
    statuses: mostly(fc.array(statusArb, { maxLength: 2 })),
  },
  { requiredKeys: ['metadata', 'contacts', 'messages', 'statuses'] },
);
const webhookArb = fc.oneof(
  fc.record({
    object: mostly(fc.constant('whatsapp_business_account')),
    entry: fc.array(
      fc.record({
        id: mostly(fc.constant('W')),
        changes: fc.array(fc.record({ field: fc.constant('messages'), value: valueArb }), { maxLength: 2 }),
      }),
      { maxLength: 2 },
    ),
  }),
  valueArb,
  fc.jsonValue(),
);

const storedCount = (id: string) =>
  (core.db().prepare('SELECT count(*) AS n FROM messages WHERE id = ?').get(id) as { n: number }).n;

it('answers 200, 400 or 413 for any JSON body; a 200 stores every readable message exactly once', async () => {
  await fc.assert(
    fc.asyncProperty(webhookArb, async (body) => {
      const text = JSON.stringify(body);
      const r = await post(text);
      expect([200, 400, 413]).toContain(r.status);
      if (r.status !== 200) return;
      const answer = (await r.json()) as { ok: boolean; warning?: string };
      expect(answer.ok).toBe(true);
      // Every message the normalizer reads from the whole body, or (when only a part was readable)
      // the ones it did not name as unreadable, is in the database once.
      const whole = normalizePayload(body, { channel: CHANNEL });
      const split = whole.ok ? null : splitDelivery(body, CHANNEL);
      const readable = whole.ok ? whole : split ? normalizePayload(split.valid, { channel: CHANNEL }) : null;
      expect(readable?.ok).toBe(true);
      const ids = readable?.ok ? readable.value.messages.map((m) => m.id) : [];
      if (!whole.ok) expect(answer.warning).toMatch(/partly stored/);
      for (const id of new Set(ids)) expect(storedCount(id)).toBe(1);
      // A retry (360dialog's at-least-once) changes nothing.
      const again = await post(text);
      expect(again.status).toBe(200);
      for (const id of new Set(ids)) expect(storedCount(id)).toBe(1);
    }),
    { numRuns: 300 },
  );
}, 120_000);

it('a body over the limit is 413, malformed JSON and trailing garbage 400', async () => {
  expect((await post(`{"x":"${'a'.repeat(5 * 1024 * 1024)}"}`)).status).toBe(413);
  expect((await post('{"object":"whatsapp_business_account","entry":[]} trailing')).status).toBe(400);
  expect((await post('{"object":"whatsapp_business_account","entry":[]}{}')).status).toBe(400);
});
