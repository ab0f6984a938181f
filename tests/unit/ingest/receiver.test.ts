import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../../src/core/ingest/channels';
import type { RunningServer } from '../../../src/core/server/server';
import { type CollectorUnderTest, describeEachBackend } from '../../helpers/collector-backend';
import type { TestCore } from '../../helpers/core';

const dir = path.join(__dirname, '../../fixtures/webhooks');
const fixtureText = (format: 'cloud' | 'onprem', name: string) =>
  fs.readFileSync(path.join(dir, format, `${name}.json`), 'utf8');

describeEachBackend('webhook and external-event receivers', (backend) => {
  let col: CollectorUnderTest;
  let core: TestCore;
  let server: RunningServer;
  // What only the SQLite collector has (derived messages and contacts, its quarantine commands, its files).
  const sqliteIt = backend.kind === 'sqlite' ? it : it.skip;
  const count = (table: 'raw_payloads' | 'external_events' | 'quarantine', ws = 'default') =>
    col.count(table, ws);
  let secret: string;
  let onpremSecret: string;
  let otherSecret: string;

  const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${url}`, {
      method: 'POST',
      body: typeof body === 'string' ? body : new Uint8Array(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
  const hook = (channel: string, body: string | Buffer, token: string | null) =>
    post(`/webhooks/360dialog/${channel}`, body, token === null ? {} : { authorization: `Bearer ${token}` });

  beforeAll(async () => {
    col = await backend.start();
    core = col.core;
    server = col.server;
    const ch = await col.addChannel({ phoneNumberId: '1234567890', name: 'Main', apiKey: 'd360-key' });
    secret = ch.secret;
    onpremSecret = (await col.addChannel({ phoneNumberId: '5550001' })).secret;
    // A second workspace: the route finds the workspace from the channel.
    otherSecret = (await col.addChannel({ phoneNumberId: '7770001' }, 'client-b')).secret;
  });

  afterAll(() => col.close());

  describe('channels', () => {
    sqliteIt('shows the secret once, stores it hashed and in the secret store, never lists it', async () => {
      expect(secret).toMatch(/^[\w-]{20,}$/);
      const list = await core.call('channels.list', {});
      expect(list.map((c) => c.id)).toEqual(['1234567890', '5550001']);
      expect(list[0]).toEqual({
        id: '1234567890',
        name: 'Main',
        webhookPath: '/webhooks/360dialog/1234567890',
        hasApiKey: true,
        createdAt: expect.any(String),
      });
      expect(JSON.stringify(list)).not.toContain(secret);
      expect(await core.host.call('app.info', undefined, {})).toBeTruthy();
      const stored = JSON.parse(fs.readFileSync(path.join(core.dataDir, 'secrets.json'), 'utf8'));
      expect(JSON.stringify(stored)).toContain(secret);
      expect(JSON.stringify(stored)).toContain('d360-key');
      const row = core
        .db()
        .prepare("SELECT secret_hash FROM channels WHERE phone_number_id = '1234567890'")
        .get() as { secret_hash: Buffer };
      expect(row.secret_hash.length).toBe(32);
      await expect(core.call('channels.add', { phoneNumberId: '7770001' })).rejects.toThrow(/client-b/);
    });
  });

  describe('POST /webhooks/360dialog/:channel', () => {
    it('stores a Cloud delivery after 200 and deduplicates a retry', async () => {
      const body = fixtureText('cloud', 'referral');
      const r1 = await hook('1234567890', body, secret);
      expect(r1.status).toBe(200);
      expect(await r1.json()).toEqual({ ok: true });
      expect((await hook('1234567890', body, secret)).status).toBe(200);
      const q = "SELECT count(*) AS n FROM raw_payloads WHERE origin = 'webhook'";
      expect(await col.rows({ sqlite: q, postgres: q.replace('count(*)', 'count(*)::int') })).toEqual([
        { n: 1 },
      ]);
      if (backend.kind === 'sqlite')
        expect(
          core.db().prepare("SELECT count(*) AS n FROM messages WHERE id = 'wamid.IN.referral'").get(),
        ).toEqual({ n: 1 });
    });

    sqliteIt('takes On-Premise payloads, the channel supplying the business number', async () => {
      expect(
        (await hook('5550001', fixtureText('onprem', 'interactive_list_reply'), onpremSecret)).status,
      ).toBe(200);
      const m = core
        .db()
        .prepare(
          "SELECT phone_number_id, interactive_title FROM messages WHERE id = 'wamid.IN.interactive_list_reply'",
        )
        .get();
      expect(m).toEqual({ phone_number_id: '5550001', interactive_title: 'Premium' });
    });

    it('401 and nothing stored without the right secret', async () => {
      const before = await count('raw_payloads');
      const body = fixtureText('cloud', 'text');
      expect((await hook('1234567890', body, null)).status).toBe(401);
      expect((await hook('1234567890', body, 'wrong')).status).toBe(401);
      expect((await hook('1234567890', body, otherSecret)).status).toBe(401);
      // A bad body with a wrong secret is not read, so not quarantined either.
      expect((await hook('1234567890', '{"truncated', 'wrong')).status).toBe(401);
      expect(await count('raw_payloads')).toBe(before);
      expect(await count('quarantine')).toBe(0);
      expect((await hook('9990001', body, secret)).status).toBe(401);
    });

    sqliteIt('a secret changed by another process is honoured at once, the old one refused', async () => {
      const body = fixtureText('cloud', 'text').replace('wamid.IN.text', 'wamid.ROTATED.text');
      const first = fixtureText('cloud', 'text').replace('wamid.IN.text', 'wamid.CACHED.text');
      expect((await hook('1234567890', first, secret)).status).toBe(200); // the channel's hash is now cached
      const setHash = core.db().prepare('UPDATE channels SET secret_hash = ? WHERE phone_number_id = ?');
      setHash.run(hashSecret('rotated-secret'), '1234567890');
      try {
        expect((await hook('1234567890', body, secret)).status).toBe(401);
        expect((await hook('1234567890', body, 'rotated-secret')).status).toBe(200);
        expect(
          core.db().prepare("SELECT 1 AS ok FROM messages WHERE id = 'wamid.ROTATED.text'").get(),
        ).toEqual({
          ok: 1,
        });
      } finally {
        setHash.run(hashSecret(secret), '1234567890');
      }
    });

    it('routes to the workspace that holds the channel', async () => {
      const body = fixtureText('onprem', 'text').replace('wamid.IN.text', 'wamid.B.text');
      const before = await count('raw_payloads');
      expect((await hook('7770001', body, otherSecret)).status).toBe(200);
      expect(await count('raw_payloads', 'client-b')).toBe(1);
      expect(await count('raw_payloads')).toBe(before);
      if (backend.kind === 'sqlite')
        expect(
          core.db('client-b').prepare("SELECT phone_number_id FROM messages WHERE id = 'wamid.B.text'").get(),
        ).toEqual({ phone_number_id: '7770001' });
    });

    it('400 with a clear message and the raw body quarantined for malformed or unknown bodies', async () => {
      const truncated = fixtureText('cloud', 'text').slice(0, 120);
      const r = await hook('1234567890', truncated, secret);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/malformed JSON/);
      const wrongType = JSON.parse(fixtureText('cloud', 'text'));
      wrongType.entry[0].changes[0].value.messages[0].timestamp = { when: 'now' };
      const r2 = await hook('1234567890', JSON.stringify(wrongType), secret);
      expect(r2.status).toBe(400);
      expect(((await r2.json()) as { error: { message: string } }).error.message).toMatch(
        /messages\[0\]\.timestamp/,
      );
      const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
      expect((await hook('1234567890', deep, secret)).status).toBe(400);
      expect((await hook('1234567890', 'hello', secret)).status).toBe(400);
      expect(await count('quarantine')).toBe(4);
      if (backend.kind !== 'sqlite') return;

      const q = await core.call('quarantine.list', {});
      expect(q.total).toBe(4);
      const shown = await core.call('quarantine.show', { id: q.items.at(-1)!.id });
      expect(shown.body).toBe(truncated);
      expect(shown.reason).toMatch(/malformed JSON/);
      expect(shown.channel).toBe('1234567890');
      expect(
        core.db().prepare("SELECT count(*) AS n FROM messages WHERE id = 'wamid.IN.text'").get(),
      ).toEqual({
        n: 0,
      });
    });

    it('413 for a 10 MB body, nothing stored', async () => {
      const before = await count('quarantine');
      const big = Buffer.alloc(10 * 1024 * 1024, 0x20);
      const r = await hook('1234567890', big, secret);
      expect(r.status).toBe(413);
      expect(await count('quarantine')).toBe(before);
    });

    sqliteIt('keeps unicode, emoji and RTL names', async () => {
      const body = fixtureText('cloud', 'text')
        .replace('"Ana"', '"مريم 👩🏽‍💻 Zoë"')
        .replace('wamid.IN.text', 'wamid.unicode');
      expect((await hook('1234567890', body, secret)).status).toBe(200);
      expect(core.db().prepare("SELECT name FROM contacts WHERE id = '4915123456789'").get()).toEqual({
        name: 'مريم 👩🏽‍💻 Zoë',
      });
    });

    it('quarantine: retry stores a body once the cause is fixed, keeps only the unreadable part, delete removes', async () => {
      // A channel-less On-Premise body can never be read: retry keeps it with its reason.
      const q = await col.manage('quarantine.list', {});
      expect(q.total).toBeGreaterThan(0);
      const r = await col.manage('quarantine.retry', { all: true });
      expect(r).toEqual({ retried: q.total, stored: 0, stillBad: q.total });
      const quarantine = (body: string) => {
        const hex = Buffer.from(body).toString('hex');
        return col.rows({
          sqlite: `INSERT INTO quarantine (received_at, origin, channel, reason, body) VALUES (1, 'webhook', '1234567890', 'was broken', X'${hex}') RETURNING id`,
          postgres: `INSERT INTO quarantine (workspace, received_at, origin, channel, reason, body) VALUES ('default', 1, 'webhook', '1234567890', 'was broken', '\\x${hex}') RETURNING id::int`,
        }) as Promise<{ id: number }[]>;
      };
      const stored = await count('raw_payloads');
      const [fixed] = await quarantine(fixtureText('cloud', 'video'));
      expect(await col.manage('quarantine.retry', { id: fixed!.id })).toEqual({
        retried: 1,
        stored: 1,
        stillBad: 0,
      });
      expect(await count('raw_payloads')).toBe(stored + 1);
      if (backend.kind === 'sqlite')
        expect(
          core.db().prepare("SELECT count(*) AS n FROM messages WHERE id = 'wamid.IN.video'").get(),
        ).toEqual({ n: 1 });
      await expect(col.manage('quarantine.show', { id: fixed!.id })).rejects.toThrow(/No quarantined/);

      // Readable in part: that part is stored, the row keeps only the unreadable message.
      const partly = JSON.parse(fixtureText('cloud', 'text'));
      const good = partly.entry[0].changes[0].value.messages[0];
      good.id = 'wamid.IN.partly';
      partly.entry[0].changes[0].value.messages.push({ ...good, id: undefined, timestamp: 'yesterday' });
      const [part] = await quarantine(JSON.stringify(partly));
      expect(await col.manage('quarantine.retry', { id: part!.id })).toEqual({
        retried: 1,
        stored: 0,
        stillBad: 1,
      });
      expect(await count('raw_payloads')).toBe(stored + 2);
      const left = await col.manage('quarantine.show', { id: part!.id });
      expect(left.reason).toMatch(/^not stored: .*messages\[1\]\.id/);
      expect(left.body).toContain('yesterday');
      expect(left.body).not.toContain('wamid.IN.partly');
      expect(await col.manage('quarantine.retry', { id: part!.id })).toMatchObject({
        stored: 0,
        stillBad: 1,
      });
      expect(await count('raw_payloads')).toBe(stored + 2);

      expect(await col.manage('quarantine.delete', { all: true })).toEqual({ deleted: q.total + 1 });
      await expect(col.manage('quarantine.show', { id: 1 })).rejects.toThrow(/No quarantined/);
      await expect(col.manage('quarantine.delete', { id: part!.id })).rejects.toThrow(/No quarantined/);
    });

    it('acknowledges concurrent deliveries, each stored once (group commit)', async () => {
      const before = await count('raw_payloads');
      const base = JSON.parse(fixtureText('cloud', 'text'));
      const bodies = Array.from({ length: 200 }, (_, i) => {
        const b = structuredClone(base);
        b.entry[0].changes[0].value.messages[0].id = `wamid.burst.${i % 150}`;
        b.entry[0].changes[0].value.messages[0].text.body = `burst ${i}`;
        return JSON.stringify(b);
      });
      const statuses = await Promise.all(
        bodies.map((b) => hook('1234567890', b, secret).then((r) => r.status)),
      );
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(await count('raw_payloads')).toBe(before + 200);
      // Each of the 200 bodies twice more: nothing new.
      await Promise.all(bodies.map((b) => hook('1234567890', b, secret)));
      expect(await count('raw_payloads')).toBe(before + 200);
      if (backend.kind === 'sqlite')
        expect(
          core.db().prepare("SELECT count(*) AS n FROM messages WHERE id LIKE 'wamid.burst.%'").get(),
        ).toEqual({ n: 150 });
    });
  });

  describe('POST /clients/:clientId/external-events', () => {
    let key: string;
    beforeAll(async () => {
      key = await col.createKey();
    });
    const eventRows = (where: string) => {
      const q = `SELECT client_id, action, contact_id, ts, revenue_amount, revenue_currency, origin FROM external_events WHERE ${where}`;
      return col.rows({ sqlite: q, postgres: q }) as Promise<Record<string, unknown>[]>;
    };
    const send = (body: unknown, headers: Record<string, string> = {}) =>
      post('/clients/client-1/external-events', JSON.stringify(body), headers);
    const event = (over: Record<string, unknown> = {}) => ({
      action: 'Purchased an item',
      lead_phone: '+49 151 2345678',
      revenue: { amount: 10, currency: 'EUR' },
      timestamp: '2026-11-20T10:00:00Z',
      ...over,
    });

    it('stores an event and answers its id', async () => {
      const r = await send({ api_key: key, external_event: event() });
      expect(r.status).toBe(200);
      const { external_event_id } = (await r.json()) as { external_event_id: string };
      const [row] = await eventRows(`id = '${external_event_id}'`);
      expect(row).toMatchObject({
        client_id: 'client-1',
        action: 'Purchased an item',
        contact_id: '491512345678',
        ts: 1795168800,
        revenue_amount: 10,
        revenue_currency: 'EUR',
        origin: 'webhook',
      });
      const keys = await col.listKeys();
      expect(keys[0]!.lastUsedAt).not.toBeNull();
      expect(JSON.stringify(keys)).not.toContain(key);
    });

    it('an Idempotency-Key or event_id makes a retry return the same id and store nothing new', async () => {
      const a = (await (
        await send({ api_key: key, external_event: event() }, { 'idempotency-key': 'k-1' })
      ).json()) as { external_event_id: string };
      const b = (await (
        await send({ api_key: key, external_event: event() }, { 'idempotency-key': 'k-1' })
      ).json()) as { external_event_id: string };
      expect(a.external_event_id).toBe(b.external_event_id);
      const c = (await (await send({ api_key: key, external_event: event({ event_id: 'e-9' }) })).json()) as {
        external_event_id: string;
      };
      const d = (await (await send({ api_key: key, external_event: event({ event_id: 'e-9' }) })).json()) as {
        external_event_id: string;
      };
      expect(c.external_event_id).toBe(d.external_event_id);
      expect(await eventRows("event_id IN ('k-1', 'e-9')")).toHaveLength(2);
    });

    it('defaults: USD without a currency, the receive time without a timestamp, Unix seconds accepted', async () => {
      const before = Math.floor(Date.now() / 1000);
      const r = (await (
        await send({
          api_key: key,
          external_event: { action: 'Lead', lead_phone: '0049-151-(111)-2222', revenue: { amount: '5.5' } },
        })
      ).json()) as { external_event_id: string };
      const [row] = (await eventRows(`id = '${r.external_event_id}'`)) as Record<string, number | string>[];
      expect(row).toMatchObject({ contact_id: '491511112222', revenue_amount: 5.5, revenue_currency: 'USD' });
      expect(row!.ts).toBeGreaterThanOrEqual(before);
      const s = (await (
        await send({ api_key: key, external_event: event({ timestamp: 1795168800 }) })
      ).json()) as { external_event_id: string };
      expect(await eventRows(`id = '${s.external_event_id}'`)).toMatchObject([{ ts: 1795168800 }]);
    });

    it.each([
      [{ action: undefined }, 'external_event.action'],
      [{ lead_phone: undefined }, 'external_event.lead_phone'],
      [{ lead_phone: 'call me' }, 'external_event.lead_phone'],
      [{ revenue: { amount: -1, currency: 'EUR' } }, 'external_event.revenue.amount'],
      [{ revenue: { amount: 'ten', currency: 'EUR' } }, 'external_event.revenue.amount'],
      [{ revenue: { amount: 1, currency: 'XYZ' } }, 'external_event.revenue.currency'],
      [{ timestamp: '2026-11-20T10:00:00' }, 'external_event.timestamp'],
    ])('400 naming the field for %j', async (over, field) => {
      const r = await send({ api_key: key, external_event: event(over) });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { field: string } }).error.field).toBe(field);
    });

    it('401 for a wrong or revoked key, nothing stored', async () => {
      const before = await count('external_events');
      expect((await send({ api_key: 'nope', external_event: event() })).status).toBe(401);
      expect((await send({ external_event: event() })).status).toBe(401);
      const k2 = await col.createKey();
      expect((await send({ api_key: k2, external_event: event({ event_id: 'rev-1' }) })).status).toBe(200);
      await col.revokeKey((await col.listKeys()).find((k) => k2.startsWith(k.prefix) && !k.revokedAt)!.id);
      expect((await send({ api_key: k2, external_event: event({ event_id: 'rev-2' }) })).status).toBe(401);
      expect(await count('external_events')).toBe(before + 1);
      expect((await post('/clients/c/external-events', '{"api_key": ')).status).toBe(400);
    });
  });
});
