import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../../src/core/server/server';
import { type Fake360dialog, startFake360dialog } from '../../fakes/fake-360dialog';
import { type CollectorUnderTest, describeEachBackend } from '../../helpers/collector-backend';
import { makeTestCore, type TestCore } from '../../helpers/core';
import { textDelivery } from '../../helpers/webhook';

// Two data folders over real HTTP: a collector (`insights serve` on a server) receives webhooks,
// external events and proxied sends; a desktop pulls them with GET /v1/sync.

const PHONE_ID = '5550001';

const count = (core: TestCore, table: string) =>
  (core.db().prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

/** A Cloud API delivery (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components) with one inbound text message. */
function delivery(i: number): unknown {
  const waId = `49151000${String(i % 7).padStart(4, '0')}`;
  return textDelivery({
    phoneNumberId: PHONE_ID,
    waId,
    id: `wamid.in.${i}`,
    ts: 1_764_000_000 + i * 60,
    body: `Hello number ${i}, KW-SUMMER`,
    name: `Kunde ${i} 🚀`,
  });
}

/**
 * A proxy in front of the collector that, after some bytes of a response, either drops the connection
 * (a network failure) or stalls (a response that hangs until the job is cancelled).
 */
async function cuttingProxy(
  target: string,
): Promise<{ url: string; cutAfter: { bytes: number; stall: boolean }; close(): Promise<void> }> {
  const cutAfter = { bytes: Number.POSITIVE_INFINITY, stall: false };
  const proxy = http.createServer((req, res) => {
    const upstream = http.request(
      `${target}${req.url}`,
      { method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        res.flushHeaders();
        let sent = 0;
        let cut = false;
        up.on('data', (chunk: Buffer) => {
          if (cut) return;
          if (sent + chunk.length > cutAfter.bytes) {
            cut = true;
            if (cutAfter.stall) up.pause();
            else up.destroy();
            // The first part reaches the desktop; then the connection drops, or hangs.
            res.write(chunk.subarray(0, cutAfter.bytes - sent), () => {
              if (!cutAfter.stall) setTimeout(() => res.destroy(), 20);
            });
            return;
          }
          sent += chunk.length;
          res.write(chunk);
        });
        up.on('end', () => res.end());
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
    cutAfter,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}

describeEachBackend('collector sync', (backend) => {
  let fake: Fake360dialog;
  let col: CollectorUnderTest;
  let desktop: TestCore;
  let server: RunningServer;
  let readToken: string;
  const TOTAL_PAYLOADS = 40;
  const TOTAL_EVENTS = 6;

  beforeAll(async () => {
    fake = await startFake360dialog({ 'key-c': {} });
    col = await backend.start();
    desktop = makeTestCore();
    await col.setBaseUrl(fake.url);
    const channel = await col.addChannel({ phoneNumberId: PHONE_ID, apiKey: 'key-c' });
    const apiKey = await col.createKey();
    server = col.server;
    const post = (path: string, body: unknown, auth?: string) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(body),
      });
    for (let i = 0; i < TOTAL_PAYLOADS; i++) {
      const r = await post(`/webhooks/360dialog/${PHONE_ID}`, delivery(i), `Bearer ${channel.secret}`);
      expect(r.status).toBe(200);
    }
    for (let i = 0; i < TOTAL_EVENTS; i++) {
      const r = await post('/clients/c1/external-events', {
        api_key: apiKey,
        external_event: {
          action: 'Purchased an item',
          lead_phone: `+49 151 000 ${String(i).padStart(4, '0')}`,
          revenue: { amount: 10 + i },
        },
      });
      expect(r.status).toBe(200);
    }
    const sent = await post(
      `/messages/${PHONE_ID}`,
      {
        messaging_product: 'whatsapp',
        to: '4915100000001',
        type: 'interactive',
        interactive: {
          type: 'button',
          action: { buttons: [{ type: 'reply', reply: { id: 'x', title: 'Yes' } }] },
        },
      },
      `Bearer ${channel.secret}`,
    );
    expect(sent.status).toBe(200);
    readToken = (await col.createToken('laptop')).token;
  });

  afterAll(async () => {
    await col.close();
    await desktop.close();
    await fake.close();
  });

  describe('GET /v1/sync authentication', () => {
    it('answers 401 without a token, with a wrong one, or a token of a workspace that does not exist (not created)', async () => {
      const get = (auth?: string) =>
        fetch(`${server.url}/v1/sync`, auth ? { headers: { authorization: auth } } : {});
      expect((await get()).status).toBe(401);
      expect((await get(`Bearer ${readToken}x`)).status).toBe(401);
      expect((await get('Bearer ict1.ghost.abc')).status).toBe(401);
      expect((await col.core.call('workspaces.list', {})).map((w) => w.name)).not.toContain('ghost');
    });

    it('a revoked token is refused', async () => {
      const t = await col.createToken();
      const get = () =>
        fetch(`${server.url}/v1/sync?limit=1`, { headers: { authorization: `Bearer ${t.token}` } });
      const ok = await get();
      expect(ok.status).toBe(200);
      await ok.text();
      await col.revokeToken(t.id);
      expect((await get()).status).toBe(401);
      const listed = (await col.listTokens()).find((x) => x.id === t.id)!;
      expect(listed.revokedAt).not.toBeNull();
      expect(listed.lastUsedAt).not.toBeNull();
      expect(JSON.stringify(listed)).not.toContain(t.token);
    });

    it('the desktop with a wrong token: sync fails "forbidden", status keeps the error and says online', async () => {
      const other = makeTestCore();
      try {
        await other.call('collector.configure', { url: server.url, token: 'ict1.default.wrong' });
        await expect(other.call('collector.sync', {})).rejects.toMatchObject({ code: 'forbidden' });
        const s = await other.call('collector.status', {});
        expect(s).toMatchObject({ configured: true, online: true, lastSyncedAt: null });
        expect(s.lastError).toContain('401');
        expect(count(other, 'raw_payloads')).toBe(0);
      } finally {
        await other.close();
      }
    });
  });

  describe('collector sync: desktop pulls from collector', () => {
    let proxy: Awaited<ReturnType<typeof cuttingProxy>>;
    beforeAll(async () => {
      proxy = await cuttingProxy(server.url);
    });
    afterAll(() => proxy.close());

    it('streams NDJSON pages with resume cursors, a header and an end line', async () => {
      const res = await fetch(`${server.url}/v1/sync?limit=15`, {
        headers: { authorization: `Bearer ${readToken}` },
      });
      expect(res.headers.get('content-type')).toContain('application/x-ndjson');
      const lines = (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines[0]).toEqual({ type: 'header', remaining: TOTAL_PAYLOADS + TOTAL_EVENTS + 1, limit: 15 });
      expect(lines.slice(1, -1)).toHaveLength(15);
      expect(lines.slice(1, -1).every((l) => l.type === 'payload' && typeof l.cursor === 'string')).toBe(
        true,
      );
      expect(lines[1].body).toEqual(delivery(0));
      expect(lines.at(-1)).toMatchObject({ type: 'end', more: true, cursor: lines.at(-2).cursor });
      const next = await fetch(`${server.url}/v1/sync?limit=50&after=${lines.at(-1).cursor}`, {
        headers: { authorization: `Bearer ${readToken}` },
      });
      const rest = (await next.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(rest[0]).toMatchObject({ remaining: TOTAL_PAYLOADS - 15 + TOTAL_EVENTS + 1 });
      expect(rest.filter((l) => l.type === 'payload')).toHaveLength(TOTAL_PAYLOADS - 15);
      expect(rest.filter((l) => l.type === 'event')).toHaveLength(TOTAL_EVENTS);
      expect(rest.filter((l) => l.type === 'outgoing')).toHaveLength(1);
      expect(rest.at(-1)).toMatchObject({ type: 'end', more: false });
      const bad = await fetch(`${server.url}/v1/sync?after=garbage`, {
        headers: { authorization: `Bearer ${readToken}` },
      });
      expect(bad.status).toBe(400);
    });

    it('an interrupted sync resumes after the last committed item, without duplicates', async () => {
      {
        const full = await fetch(`${server.url}/v1/sync`, {
          headers: { authorization: `Bearer ${readToken}` },
        });
        proxy.cutAfter.bytes = Math.floor((await full.text()).length * 0.45);

        await desktop.call('collector.configure', { url: proxy.url, token: readToken, intervalMinutes: 5 });
        await expect(desktop.call('collector.sync', {})).rejects.toMatchObject({
          code: 'unavailable',
          message: expect.stringContaining('resume'),
        });
        const partial = count(desktop, 'raw_payloads');
        expect(partial).toBeGreaterThan(0);
        expect(partial).toBeLessThan(TOTAL_PAYLOADS);
        const interrupted = await desktop.call('collector.status', {});
        expect(interrupted).toMatchObject({ online: false, lastSyncedAt: null });
        expect(interrupted.received.payloads).toBe(partial);

        proxy.cutAfter.bytes = Number.POSITIVE_INFINITY;
        const second = await desktop.call('collector.sync', {});
        // Only what was missing came over the wire: the cursor resumed, it did not restart.
        expect(second).toEqual({
          payloads: TOTAL_PAYLOADS - partial,
          duplicatePayloads: 0,
          events: TOTAL_EVENTS,
          outgoing: 1,
          erased: 0,
          skipped: 0,
          conversions: 0,
          handedOver: 0,
        });
      }
      for (const table of ['raw_payloads', 'external_events', 'outgoing_messages'] as const) {
        expect(count(desktop, table), table).toBe(await col.count(table));
      }
      // One inbound message per delivery (on PostgreSQL the collector derives none to compare with).
      expect(count(desktop, 'messages')).toBe(TOTAL_PAYLOADS);
      const s = await desktop.call('collector.status', {});
      expect(s).toMatchObject({ online: true, lastError: null, intervalMinutes: 5 });
      expect(s.lastSyncedAt).not.toBeNull();
      expect(s.received).toEqual({ payloads: TOTAL_PAYLOADS, events: TOTAL_EVENTS, outgoing: 1 });
    });

    it('replicates events and payloads with their ids and first-received times', async () => {
      const same = async (sqlite: string, postgres = sqlite) =>
        expect(desktop.db().prepare(sqlite).all()).toEqual(await col.rows({ sqlite, postgres }));
      await same(
        'SELECT id, contact_id, ts, revenue_amount, revenue_currency, received_at FROM external_events ORDER BY id',
      );
      await same(
        'SELECT hex(sha256) AS h, received_at, channel FROM raw_payloads ORDER BY h',
        "SELECT upper(encode(sha256, 'hex')) AS h, received_at, channel FROM raw_payloads ORDER BY h",
      );
      await same('SELECT id, template_name, buttons, origin FROM outgoing_messages ORDER BY id');
    });

    it('a sync with nothing new transfers nothing and still records the time', async () => {
      const before = await desktop.call('collector.status', {});
      await new Promise((r) => setTimeout(r, 5));
      expect(await desktop.call('collector.sync', {})).toEqual({
        payloads: 0,
        duplicatePayloads: 0,
        events: 0,
        outgoing: 0,
        erased: 0,
        skipped: 0,
        conversions: 0,
        handedOver: 0,
      });
      const after = await desktop.call('collector.status', {});
      expect(after.lastSyncedAt! > before.lastSyncedAt!).toBe(true);
    });

    it('payloads the desktop already received itself count as duplicates, not new rows', async () => {
      const both = makeTestCore();
      try {
        // The desktop's own receiver got delivery 3 directly; the collector has it too.
        const db = both.db();
        const { ingestPayloads } = await import('../../../src/core/ingest/ingest');
        ingestPayloads(db, [{ body: delivery(3), origin: 'webhook', channel: PHONE_ID }]);
        await both.call('collector.configure', { url: server.url, token: readToken });
        const r = await both.call('collector.sync', {});
        expect(r.payloads).toBe(TOTAL_PAYLOADS - 1);
        expect(r.duplicatePayloads).toBe(1);
        expect(count(both, 'messages')).toBe(TOTAL_PAYLOADS);
      } finally {
        await both.close();
      }
    });
  });

  describe('collector.configure', () => {
    it('refuses plain http to a public host, a non-token, and keeps the token out of status', async () => {
      await expect(
        desktop.call('collector.configure', { url: 'http://collector.example.com', token: readToken }),
      ).rejects.toMatchObject({
        code: 'invalid_argument',
        field: 'url',
      });
      await expect(
        desktop.call('collector.configure', { url: 'https://collector.example.com', token: 'hello' }),
      ).rejects.toMatchObject({
        code: 'invalid_argument',
        field: 'token',
      });
      expect(JSON.stringify(await desktop.call('collector.status', {}))).not.toContain(readToken);
    });
  });

  describe('cancelling a sync', () => {
    it('keeps the lines already received, reports progress, and the next sync completes without duplicates', async () => {
      const proxy = await cuttingProxy(server.url);
      const other = makeTestCore();
      try {
        const full = await fetch(`${server.url}/v1/sync`, {
          headers: { authorization: `Bearer ${readToken}` },
        });
        proxy.cutAfter.bytes = Math.floor((await full.text()).length * 0.6);
        proxy.cutAfter.stall = true;
        await other.call('collector.configure', { url: proxy.url, token: readToken });
        const jobs: { id: string; detail: string | null }[] = [];
        const headerSeen = new Promise<void>((resolve) =>
          other.host.onEvent((e) => {
            if (e.type !== 'job' || e.job.kind !== 'collector-sync') return;
            jobs.push({ id: e.job.id, detail: e.job.detail });
            if (e.job.detail === `0 of ${TOTAL_PAYLOADS + TOTAL_EVENTS + 1} items`) resolve();
          }),
        );
        const sync = other.call('collector.sync', {}).catch((err: unknown) => err);
        await headerSeen;
        // Give the stalled stream's first lines time to be parsed before cancelling.
        await new Promise((r) => setTimeout(r, 200));
        await other.call('jobs.cancel', { id: jobs[0]!.id });
        expect(await sync).toMatchObject({ code: 'cancelled' });
        const partial = count(other, 'raw_payloads');
        expect(partial).toBeGreaterThan(0);
        expect(partial).toBeLessThan(TOTAL_PAYLOADS);
        // Cancelling is not a failure: no error is recorded.
        expect(await other.call('collector.status', {})).toMatchObject({
          lastError: null,
          lastSyncedAt: null,
        });

        proxy.cutAfter.bytes = Number.POSITIVE_INFINITY;
        const rest = await other.call('collector.sync', {});
        expect(rest.payloads).toBe(TOTAL_PAYLOADS - partial);
        expect(rest.duplicatePayloads).toBe(0);
        expect(count(other, 'messages')).toBe(TOTAL_PAYLOADS);
        const finished = (await other.call('jobs.list', {})).filter((j) => j.kind === 'collector-sync');
        expect(finished.map((j) => j.state).sort()).toEqual(['cancelled', 'done']);
        expect(finished.find((j) => j.state === 'done')!.progress).toBe(1);
      } finally {
        await proxy.close();
        await other.close();
      }
    });
  });

  describe('concurrent syncs', () => {
    it('a second "Sync now" while a sync runs joins it instead of pulling everything twice', async () => {
      const other = makeTestCore();
      try {
        await other.call('collector.configure', { url: server.url, token: readToken });
        const [a, b] = await Promise.all([
          other.call('collector.sync', {}),
          other.call('collector.sync', {}),
        ]);
        expect(a).toEqual(b);
        expect(a).toMatchObject({ payloads: TOTAL_PAYLOADS, duplicatePayloads: 0, events: TOTAL_EVENTS });
        expect((await other.call('collector.status', {})).received.payloads).toBe(TOTAL_PAYLOADS);
      } finally {
        await other.close();
      }
    });
  });
});

/**
 * A collector of its own (core, `serve`, one channel) for tests that change it; `desktop()` gives a new
 * desktop core configured against it with a token of its own. Everything is closed afterwards.
 */
async function withCollector(
  run: (x: {
    c: TestCore;
    post: (path: string, body: unknown, auth?: string) => Promise<void>;
    deliver: (i: number) => Promise<void>;
    desktop: () => Promise<TestCore>;
  }) => Promise<void>,
): Promise<void> {
  const c = makeTestCore();
  const s = await startServer({ host: c.host, apiToken: 'x' });
  const cores: TestCore[] = [c];
  try {
    const { secret } = await c.call('channels.add', { phoneNumberId: PHONE_ID });
    const post = async (path: string, body: unknown, auth?: string) => {
      const r = await fetch(`${s.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(body),
      });
      expect(r.status).toBe(200);
    };
    const desktop = async () => {
      const d = makeTestCore();
      cores.push(d);
      await d.call('collector.configure', {
        url: s.url,
        token: (await c.call('collector.tokens.create', {})).token,
      });
      return d;
    };
    await run({
      c,
      post,
      deliver: (i) => post(`/webhooks/360dialog/${PHONE_ID}`, delivery(i), `Bearer ${secret}`),
      desktop,
    });
  } finally {
    await s.close();
    for (const core of cores) await core.close();
  }
}

describe('rowid reuse after an erase on the collector', () => {
  it('a payload stored at a rowid freed by erase still reaches a desktop whose cursor passed it', () =>
    withCollector(async ({ c, deliver, desktop }) => {
      for (let i = 0; i < 5; i++) await deliver(i);
      const d = await desktop();
      expect((await d.call('collector.sync', {})).payloads).toBe(5);

      // Erase the contact of the newest payload: its row goes, and SQLite hands its rowid to the next insert.
      const newest = c.db().prepare('SELECT max(id) AS id FROM raw_payloads').get() as { id: number };
      await c.call('contacts.erase', { phone: '+491510000004' });
      await deliver(5);
      const reused = c.db().prepare('SELECT id FROM raw_payloads ORDER BY id DESC LIMIT 1').get() as {
        id: number;
      };
      expect(reused.id).toBe(newest.id);

      const r = await d.call('collector.sync', {});
      expect(r.payloads).toBe(1);
      expect(d.db().prepare("SELECT COUNT(*) AS n FROM messages WHERE id = 'wamid.in.5'").get()).toEqual({
        n: 1,
      });
      // A desktop starting from scratch gets every row once: the reissue log is not replayed to it.
      const fresh = await desktop();
      expect(await fresh.call('collector.sync', {})).toMatchObject({ payloads: 5, duplicatePayloads: 0 });
    }));
});

describe('erasures on the collector reach desktops', () => {
  const has = (core: TestCore, id: string) =>
    (core.db().prepare('SELECT COUNT(*) AS n FROM messages WHERE id = ?').get(id) as { n: number }).n;
  const ERASED = '491510000001'; // delivery(i) for i % 7 === 1
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  it('a contact erased on the collector is erased on a desktop that had synced it; what it sends afterwards stays', () =>
    withCollector(async ({ c, post, deliver, desktop }) => {
      const apiKey = (await c.call('keys.create', {})).key;
      for (let i = 0; i < 7; i++) await deliver(i);
      for (const phone of [`+${ERASED}`, '+491510000002'])
        await post('/clients/c1/external-events', {
          api_key: apiKey,
          external_event: { action: 'Purchased an item', lead_phone: phone, revenue: { amount: 5 } },
        });
      const d = await desktop();
      expect(await d.call('collector.sync', {})).toMatchObject({ payloads: 7, events: 2, erased: 0 });
      expect(has(d, 'wamid.in.1')).toBe(1);

      await c.call('contacts.erase', { phone: `+${ERASED}` });
      // The log keeps a hash of the contact id, never the number.
      expect(c.db().prepare('SELECT hex(contact_hash) AS h FROM sync_erasures').all()).toEqual([
        { h: sha(ERASED).toUpperCase() },
      ]);
      await deliver(8); // the same contact writes again after its erasure

      expect(await d.call('collector.sync', {})).toMatchObject({ payloads: 1, events: 0, erased: 1 });
      const done = (await d.call('jobs.list', {})).filter((j) => j.kind === 'collector-sync');
      expect(done.map((j) => j.detail)).toContain(
        '1 new payload, 1 contact erased (erased on the collector)',
      );
      expect(has(d, 'wamid.in.1')).toBe(0);
      expect(has(d, 'wamid.in.8')).toBe(1);
      const ofContact = (table: string, column: string) =>
        (
          d.db().prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`).get(ERASED) as {
            n: number;
          }
        ).n;
      expect(ofContact('external_events', 'contact_id')).toBe(0);
      expect(ofContact('messages', 'contact_id')).toBe(1);
      expect(ofContact('attr_conversations', 'contact')).toBe(1);
      // Everyone else is untouched.
      expect(has(d, 'wamid.in.2')).toBe(1);
      expect(
        d.db().prepare("SELECT COUNT(*) AS n FROM external_events WHERE contact_id = '491510000002'").get(),
      ).toEqual({ n: 1 });
      for (const table of ['raw_payloads', 'messages', 'external_events', 'contacts']) {
        expect(count(d, table), table).toBe(count(c, table));
      }

      // The cursor passed the erasure: the next sync erases nothing, and keeps the new message.
      expect(await d.call('collector.sync', {})).toMatchObject({ payloads: 0, erased: 0 });
      expect(has(d, 'wamid.in.8')).toBe(1);

      // A desktop starting from nothing gets the rows as they are now and no erasure.
      const fresh = await desktop();
      expect(await fresh.call('collector.sync', {})).toMatchObject({ payloads: 7, erased: 0 });
      expect(has(fresh, 'wamid.in.1')).toBe(0);
      expect(has(fresh, 'wamid.in.8')).toBe(1);
    }));

  it('rows served before an erasure in the same response are erased with it; rows after it are kept', async () => {
    // A collector stream in which an erase happened between two of its read chunks (routes.ts reads
    // 500 rows at a time): payload, erasure of that payload's contact, payload of the same contact.
    const line = (v: unknown) => `${JSON.stringify(v)}\n`;
    const cursors = ['W1', 'W1', 'W1'].map((_, i) =>
      Buffer.from(JSON.stringify([i + 1, 0, 0, 0, i])).toString('base64url'),
    );
    const feed = [
      line({ type: 'header', remaining: 3, limit: 5000 }),
      line({
        type: 'payload',
        cursor: cursors[0],
        receivedAt: 1,
        origin: 'webhook',
        channel: PHONE_ID,
        body: delivery(1),
      }),
      line({ type: 'erasure', cursor: cursors[1], contact: sha(ERASED), erasedAt: 2 }),
      // Not a hash: skipped, nothing erased.
      line({ type: 'erasure', cursor: cursors[1], contact: ERASED, erasedAt: 2 }),
      line({
        type: 'payload',
        cursor: cursors[2],
        receivedAt: 3,
        origin: 'webhook',
        channel: PHONE_ID,
        body: delivery(8),
      }),
      line({ type: 'end', cursor: cursors[2], more: false }),
    ].join('');
    const fakeCollector = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(feed);
    });
    await new Promise<void>((r) => fakeCollector.listen(0, '127.0.0.1', () => r()));
    const d = makeTestCore();
    try {
      const { port } = fakeCollector.address() as { port: number };
      await d.call('collector.configure', { url: `http://127.0.0.1:${port}`, token: 'ict1.default.x' });
      expect(await d.call('collector.sync', {})).toMatchObject({ payloads: 2, erased: 1, skipped: 1 });
      expect(has(d, 'wamid.in.1')).toBe(0);
      expect(has(d, 'wamid.in.8')).toBe(1);
      expect(d.db().prepare('SELECT cursor FROM collector_state').get()).toEqual({ cursor: cursors[2] });
    } finally {
      await d.close();
      await new Promise<void>((r) => fakeCollector.close(() => r()));
    }
  });
});
