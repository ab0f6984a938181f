import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CollectorUnderTest, postgresBackend } from '../../helpers/collector-backend';
import { describePostgres, type PgCluster } from '../../helpers/postgres';
import { textDelivery } from '../../helpers/webhook';

// Issue 18 item 2: while PostgreSQL is unreachable the receivers answer 503 (360dialog retries), never 200,
// and they recover by themselves once it is back: everything retried is then stored once.

const PHONE = '5550001';

describePostgres('PostgreSQL stopped and started during a burst', () => {
  let cluster: PgCluster;
  let col: CollectorUnderTest;
  let secret: string;
  let apiKey: string;
  let token: string;
  beforeAll(async () => {
    cluster = await postgresBackend.cluster!();
    col = await postgresBackend.start({ pool: { max: 8, connectTimeoutMs: 1000 } });
    secret = (await col.addChannel({ phoneNumberId: PHONE })).secret;
    apiKey = await col.createKey();
    token = (await col.createToken()).token;
  }, 120_000);
  afterAll(() => col?.close());

  const deliver = (i: number) =>
    fetch(`${col.server.url}/webhooks/360dialog/${PHONE}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(
        textDelivery({
          phoneNumberId: PHONE,
          waId: '4915100000001',
          id: `wamid.u.${i}`,
          ts: 1_764_000_000 + i,
          body: `${i}`,
        }),
      ),
    }).then((r) => r.status);
  const event = (i: number) =>
    fetch(`${col.server.url}/clients/c1/external-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: apiKey,
        external_event: { action: 'Paid', lead_phone: '+4915100000001', event_id: `e${i}` },
      }),
    }).then((r) => r.status);

  it('answers 503, never 200, for what it could not store; after the restart every retry is stored once', async () => {
    const TOTAL = 120;
    const acked = new Set<number>();
    const refused: number[] = [];
    let next = 0;
    let stopped = false;
    const burst = Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < TOTAL) {
          const i = next++;
          // PostgreSQL goes down a third of the way through the burst.
          if (i === TOTAL / 3 && !stopped) {
            stopped = true;
            cluster.stop();
          }
          const status = await deliver(i);
          if (status === 200) acked.add(i);
          else refused.push(status === 503 ? i : -status);
        }
      }),
    );
    await burst;
    expect(stopped).toBe(true);
    expect(refused.filter((i) => i < 0)).toEqual([]); // every refusal is a 503
    expect(refused.length).toBeGreaterThan(0);
    // Down: events and the feed answer 503 too.
    expect(await event(0)).toBe(503);
    const sync = await fetch(`${col.server.url}/v1/sync`, { headers: { authorization: `Bearer ${token}` } });
    expect(sync.status).toBe(503);

    cluster.start();
    // 360dialog retries: everything not acknowledged, and some acknowledged ones again.
    for (const i of [...refused, ...[...acked].slice(0, 10)]) {
      let status = await deliver(i);
      for (let attempt = 0; status !== 200 && attempt < 50; attempt++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await deliver(i);
      }
      expect(status).toBe(200);
    }
    expect(await event(0)).toBe(200);
    expect(await event(0)).toBe(200);
    expect(await col.count('raw_payloads')).toBe(TOTAL);
    expect(await col.count('external_events')).toBe(1);
    const stored = (await col.rows({
      sqlite: '',
      postgres: 'SELECT count(DISTINCT sha256)::int AS n FROM raw_payloads',
    })) as { n: number }[];
    expect(stored[0]!.n).toBe(TOTAL);
  }, 180_000);
});
