import http from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/cli/index';
import { type CollectorUnderTest, postgresBackend } from '../../helpers/collector-backend';
import { makeTestCore, type TestCore, tempDir } from '../../helpers/core';
import { describePostgres } from '../../helpers/postgres';
import { textDelivery } from '../../helpers/webhook';

// Issue 18 item 2: several collector processes on one database. The operator sets up channels, keys and
// tokens once with the CLI (`--database`); a second collector needs nothing but the URL; the same burst
// sent to both stores each delivery, event and outgoing message once.

const PHONE = '5550001';

/** A load balancer in front of the collectors: forwards every request to `target`, which can change. */
async function switchingProxy(first: string) {
  const state = { target: first };
  const server = http.createServer((req, res) => {
    const up = http.request(
      `${state.target}${req.url}`,
      { method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    set target(url: string) {
      state.target = url;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describePostgres('two collectors on one PostgreSQL database', () => {
  let url: string;
  let a: CollectorUnderTest;
  let b: CollectorUnderTest;
  const out: string[] = [];
  const cliDir = tempDir();
  /** `insights --data-dir <operator's folder> --database <url> …`, its stdout. */
  const cli = async (...args: string[]) => {
    out.length = 0;
    await buildProgram()
      .exitOverride()
      .parseAsync(['node', 'insights', '--data-dir', cliDir, '--database', url, ...args]);
    return out.join('');
  };
  beforeEach(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out.push(String(s));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  beforeAll(async () => {
    url = await (await postgresBackend.cluster!()).createDatabase();
    a = await postgresBackend.start({ databaseUrl: url, pool: { max: 8 } });
    b = await postgresBackend.start({ databaseUrl: url, pool: { max: 8 } });
  }, 120_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('the same burst sent to both collectors is stored once; a desktop switched from one to the other mid-feed ends with the same data', async () => {
    const channel = JSON.parse(await cli('channels', 'add', PHONE, '--name', 'Shop', '--format', 'json')) as {
      secret: string;
    };
    const apiKey = (JSON.parse(await cli('keys', 'create', '--format', 'json')) as { key: string }).key;
    const token = (await cli('collector', 'token', 'create')).trim();
    expect(JSON.parse(await cli('channels', 'list', '--format', 'json'))).toMatchObject([
      { id: PHONE, name: 'Shop' },
    ]);

    const post = (c: CollectorUnderTest, path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${c.server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const DELIVERIES = 150;
    const EVENTS = 40;
    const jobs: (() => Promise<Response>)[] = [];
    for (let i = 0; i < DELIVERIES; i++) {
      const body = textDelivery({
        phoneNumberId: PHONE,
        waId: `49151${String(i % 13).padStart(7, '0')}`,
        id: `wamid.b.${i}`,
        ts: 1_764_000_000 + i,
        body: `hi ${i}`,
      });
      for (const c of [a, b])
        jobs.push(() =>
          post(c, `/webhooks/360dialog/${PHONE}`, body, { authorization: `Bearer ${channel.secret}` }),
        );
    }
    for (let i = 0; i < EVENTS; i++) {
      // Half carry their own event_id, half an Idempotency-Key header: both identify a retry.
      const event = {
        action: 'Purchased an item',
        lead_phone: `+49151${String(i).padStart(7, '0')}`,
        ...(i % 2 ? { event_id: `order-${i}` } : {}),
      };
      const headers: Record<string, string> = i % 2 ? {} : { 'idempotency-key': `key-${i}` };
      for (const c of [a, b])
        jobs.push(() =>
          post(c, '/clients/c1/external-events', { api_key: apiKey, external_event: event }, headers),
        );
    }
    // 32 clients at a time, the two copies of a delivery side by side.
    const statuses: number[] = [];
    const eventIds = new Map<number, Set<string>>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < jobs.length) {
          const k = next++;
          const r = await jobs[k]!();
          statuses.push(r.status);
          const body = (await r.json()) as { external_event_id?: string };
          if (body.external_event_id) {
            const key = Math.floor((k - 2 * DELIVERIES) / 2);
            eventIds.set(key, (eventIds.get(key) ?? new Set()).add(body.external_event_id));
          }
        }
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(await a.count('raw_payloads')).toBe(DELIVERIES);
    expect(await a.count('external_events')).toBe(EVENTS);
    // Both copies of an event were answered with the one stored id.
    expect([...eventIds.values()].map((ids) => ids.size)).toEqual(Array(EVENTS).fill(1));

    // The same outgoing message recorded by both processes (a send-log row): one row.
    const record = {
      channel: PHONE,
      request: { to: '4915100000001', type: 'text' },
      response: { messages: [{ id: 'wamid.out.1' }] },
    };
    await Promise.all([a, b].map((c) => c.pg!.internal('dialog360.recordOutgoing', 'default', record)));
    expect(await a.count('outgoing_messages')).toBe(1);

    // A desktop reading from either collector gets everything once.
    for (const c of [a, b]) {
      const r = await fetch(`${c.server.url}/v1/sync`, { headers: { authorization: `Bearer ${token}` } });
      const lines = (await r.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string });
      const kinds = lines.map((l) => l.type);
      expect(kinds.filter((k) => k === 'payload')).toHaveLength(DELIVERIES);
      expect(kinds.filter((k) => k === 'event')).toHaveLength(EVENTS);
      expect(kinds.filter((k) => k === 'outgoing')).toHaveLength(1);
    }

    // A desktop behind a load balancer syncs part of the feed from A, then the rest from B: it ends with
    // exactly the data of a desktop that synced everything from A (the cursor means the same on both).
    const balancer = await switchingProxy(a.server.url);
    const switching = makeTestCore();
    const single = makeTestCore();
    try {
      await switching.call('collector.configure', { url: balancer.url, token });
      await switching.call('collector.sync', {});
      for (let i = 0; i < 20; i++)
        await post(
          b,
          `/webhooks/360dialog/${PHONE}`,
          textDelivery({
            phoneNumberId: PHONE,
            waId: '4915100000099',
            id: `wamid.late.${i}`,
            ts: 1_764_100_000 + i,
            body: 'later',
          }),
          {
            authorization: `Bearer ${channel.secret}`,
          },
        );
      balancer.target = b.server.url;
      expect(await switching.call('collector.sync', {})).toMatchObject({
        payloads: 20,
        duplicatePayloads: 0,
      });
      await single.call('collector.configure', { url: a.server.url, token });
      await single.call('collector.sync', {});
      for (const table of ['raw_payloads', 'messages', 'external_events', 'outgoing_messages']) {
        const q = `SELECT count(*) AS n FROM ${table}`;
        expect(switching.db().prepare(q).get(), table).toEqual(single.db().prepare(q).get());
      }
      const ids = (core: TestCore) => core.db().prepare('SELECT id FROM messages ORDER BY id').all();
      expect(ids(switching)).toEqual(ids(single));
      expect(ids(single)).toHaveLength(DELIVERIES + 20);
    } finally {
      await switching.close();
      await single.close();
      await balancer.close();
    }
  }, 120_000);
});
