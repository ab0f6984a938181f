import http from 'node:http';
import { afterAll, expect, it } from 'vitest';
import { type CollectorUnderTest, postgresBackend } from '../../helpers/collector-backend';
import { makeTestCore, type TestCore } from '../../helpers/core';
import { describePostgres } from '../../helpers/postgres';
import { textDelivery } from '../../helpers/webhook';

// Two collector processes on one database behind one address: a desktop's sync reaches one, its next
// sync the other, with the same cursor. It ends with exactly the data of a desktop that synced from one.

const PHONE = '5550001';
const delivery = (i: number) =>
  JSON.stringify(
    textDelivery({
      phoneNumberId: PHONE,
      waId: `4915100${String(i % 5).padStart(5, '0')}`,
      id: `wamid.ab.${i}`,
      ts: 1_764_000_000 + i * 60,
      body: `hello ${i}`,
    }),
  );

/** The balancer: forwards everything to whichever collector `target` names now. */
async function switchingProxy() {
  const state = { target: '' };
  const server = http.createServer((req, res) => {
    const up = http.request(
      `${state.target}${req.url}`,
      { method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const snapshot = (d: TestCore) => ({
  messages: d.db().prepare('SELECT id, contact_id, text, ts FROM messages ORDER BY id').all(),
  events: d.db().prepare('SELECT id, action, contact_id, received_at FROM external_events ORDER BY id').all(),
  contacts: d.db().prepare('SELECT id FROM contacts ORDER BY id').all(),
});

describePostgres('a desktop syncing from collector A, then B', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('ends with exactly the data of one that synced from one collector', async () => {
    const cluster = await postgresBackend.cluster!();
    const url = await cluster.createDatabase();
    const a: CollectorUnderTest = await postgresBackend.start({ databaseUrl: url });
    cleanup.push(() => a.close());
    const b: CollectorUnderTest = await postgresBackend.start({ databaseUrl: url });
    cleanup.push(() => b.close());
    const proxy = await switchingProxy();
    cleanup.push(() => proxy.close());
    const { secret } = await a.addChannel({ phoneNumberId: PHONE });
    const apiKey = await b.createKey();
    const { token } = await a.createToken('laptop');
    const send = async (c: CollectorUnderTest, i: number) => {
      const r = await fetch(`${c.server.url}/webhooks/360dialog/${PHONE}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: delivery(i),
      });
      expect(r.status).toBe(200);
    };
    const event = async (c: CollectorUnderTest, i: number) => {
      const r = await fetch(`${c.server.url}/clients/c1/external-events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          api_key: apiKey,
          external_event: {
            action: 'Purchased an item',
            lead_phone: `+49 151 00${i % 5}00000`,
            event_id: `ab-${i}`,
          },
        }),
      });
      expect(r.status).toBe(200);
    };
    for (let i = 0; i < 20; i++) await send(i % 2 ? a : b, i);
    for (let i = 0; i < 3; i++) await event(i % 2 ? a : b, i);

    const moving = makeTestCore();
    cleanup.push(() => moving.close());
    await moving.call('collector.configure', { url: proxy.url, token });
    proxy.state.target = a.server.url;
    expect(await moving.call('collector.sync', {})).toMatchObject({ payloads: 20, events: 3 });

    // More arrives at both; the balancer now sends the desktop to B.
    for (let i = 20; i < 30; i++) await send(i % 3 ? b : a, i);
    for (let i = 3; i < 5; i++) await event(a, i);
    proxy.state.target = b.server.url;
    // Only what it lacked: nothing twice, nothing missed.
    expect(await moving.call('collector.sync', {})).toMatchObject({
      payloads: 10,
      duplicatePayloads: 0,
      events: 2,
    });
    proxy.state.target = a.server.url;
    expect(await moving.call('collector.sync', {})).toMatchObject({ payloads: 0, events: 0 });

    const single = makeTestCore();
    cleanup.push(() => single.close());
    await single.call('collector.configure', { url: a.server.url, token });
    expect(await single.call('collector.sync', {})).toMatchObject({ payloads: 30, events: 5 });
    expect(snapshot(moving)).toEqual(snapshot(single));
    expect(snapshot(single).messages).toHaveLength(30);
  }, 120_000);
});
