import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/cli/index';
import { openPgCollector, type PgCollector } from '../../../src/core/pg/collector';
import { honourSqliteCursors } from '../../../src/core/pg/sqlite-cursor';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';
import { type RunningServer, startServer } from '../../../src/core/server/server';
import { type Fake360dialog, startFake360dialog } from '../../fakes/fake-360dialog';
import { type CollectorUnderTest, sqliteBackend } from '../../helpers/collector-backend';
import { makeTestCore, type TestCore } from '../../helpers/core';
import { describePostgres, type PgCluster, startCluster } from '../../helpers/postgres';
import { textDelivery } from '../../helpers/webhook';

// `insights collector migrate` moves a SQLite collector with data to PostgreSQL, twice (the second run
// copies nothing); a desktop that synced from the SQLite collector keeps its cursor against the
// PostgreSQL collector at the same address and gets only what it lacked, ending with exactly the data
// of a desktop that synced everything from PostgreSQL.

const PHONE = '5550001';

const delivery = (i: number) =>
  textDelivery({
    phoneNumberId: PHONE,
    waId: `4915100${String(i % 9).padStart(5, '0')}`,
    id: `wamid.mig.${i}`,
    ts: 1_764_000_000 + i * 60,
    body: `hello ${i}`,
  });

describePostgres('collector migrate: SQLite → PostgreSQL', () => {
  let cluster: PgCluster;
  let url: string;
  let fake: Fake360dialog;
  let sqliteCol: CollectorUnderTest;
  let pgCol: PgCollector | undefined;
  let pgServer: RunningServer | undefined;
  let pgCore: TestCore | undefined;
  const desktops: TestCore[] = [];

  beforeAll(async () => {
    cluster = await startCluster();
    url = await cluster.createDatabase();
    fake = await startFake360dialog({ 'key-c': {} });
  }, 120_000);
  afterAll(async () => {
    await pgServer?.close();
    await pgCol?.close();
    await pgCore?.close();
    for (const d of desktops) await d.close();
    await sqliteCol?.close();
    await fake?.close();
    cluster?.destroy();
  });

  /** The command as an operator runs it; its stdout. */
  const migrate = async (from: string) => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await buildProgram()
        .exitOverride()
        .parseAsync(['node', 'insights', 'collector', 'migrate', '--from', from, '--to', url]);
    } finally {
      spy.mockRestore();
    }
    return out.join('');
  };

  const counts = async () => {
    const pool = new pg.Pool({ connectionString: url });
    try {
      const r = await pool.query(`SELECT
        (SELECT count(*) FROM raw_payloads)::int AS p, (SELECT count(*) FROM external_events)::int AS e,
        (SELECT count(*) FROM outgoing_messages)::int AS o, (SELECT count(*) FROM erasures)::int AS x,
        (SELECT count(*) FROM quarantine)::int AS q, (SELECT count(*) FROM payload_contacts)::int AS pc,
        (SELECT count(*) FROM channels)::int AS ch, (SELECT count(*) FROM read_tokens)::int AS t,
        (SELECT count(*) FROM api_keys)::int AS k`);
      return r.rows[0] as Record<string, number>;
    } finally {
      await pool.end();
    }
  };

  const snapshot = (d: TestCore) => ({
    messages: d.db().prepare('SELECT id, contact_id, text FROM messages ORDER BY id').all(),
    events: d
      .db()
      .prepare('SELECT id, action, contact_id, received_at FROM external_events ORDER BY id')
      .all(),
    outgoing: d.db().prepare('SELECT id, template_name, buttons FROM outgoing_messages ORDER BY id').all(),
    contacts: d.db().prepare('SELECT count(*) AS n FROM contacts').get(),
  });

  it('copies everything, twice without change, and desktops resume from their SQLite cursor', async () => {
    sqliteCol = await sqliteBackend.start();
    await sqliteCol.setBaseUrl(fake.url);
    const channel = await sqliteCol.addChannel({ phoneNumberId: PHONE, apiKey: 'key-c' });
    const apiKey = await sqliteCol.createKey();
    const { token } = await sqliteCol.createToken('laptop');
    const post = (base: string, p: string, body: unknown, auth?: string) =>
      fetch(`${base}${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const base = sqliteCol.server.url;
    for (let i = 0; i < 30; i++)
      expect(
        (await post(base, `/webhooks/360dialog/${PHONE}`, delivery(i), `Bearer ${channel.secret}`)).status,
      ).toBe(200);
    for (let i = 0; i < 4; i++)
      expect(
        (
          await post(base, '/clients/c1/external-events', {
            api_key: apiKey,
            external_event: {
              action: 'Purchased an item',
              lead_phone: `+49 151 00${i}00001`,
              event_id: `ev-${i}`,
            },
          })
        ).status,
      ).toBe(200);
    const sent = await post(
      base,
      `/messages/${PHONE}`,
      { messaging_product: 'whatsapp', to: '4915100000001', type: 'text', text: { body: 'hi' } },
      `Bearer ${channel.secret}`,
    );
    expect(sent.status).toBe(200);
    expect(
      (await post(base, `/webhooks/360dialog/${PHONE}`, '{broken', `Bearer ${channel.secret}`)).status,
    ).toBe(400);
    await sqliteCol.core.call('contacts.erase', { phone: '+49 151 0000000' });

    // Desktop A syncs from the SQLite collector: it now holds a SQLite cursor.
    const a = makeTestCore();
    desktops.push(a);
    await a.call('collector.configure', { url: base, token });
    const first = await a.call('collector.sync', {});
    expect(first.payloads).toBe(30 - 4); // contact …0 had 4 deliveries, erased on the collector

    // More arrives at the SQLite collector after A's sync.
    for (let i = 30; i < 40; i++)
      expect(
        (await post(base, `/webhooks/360dialog/${PHONE}`, delivery(i), `Bearer ${channel.secret}`)).status,
      ).toBe(200);

    const once = await migrate(sqliteCol.core.dataDir);
    expect(once).toContain(
      'default: copied 36 payloads, 4 events, 1 outgoing, 1 erasures, 1 quarantined; 1 channels, 1 API keys, 1 read tokens',
    );
    const afterOnce = await counts();
    expect(afterOnce).toMatchObject({ p: 36, e: 4, o: 1, x: 1, q: 1, ch: 1, t: 1, k: 1 });
    expect(afterOnce.pc).toBeGreaterThanOrEqual(36);
    const twice = await migrate(sqliteCol.core.dataDir);
    expect(twice).toContain(
      'default: copied 0 payloads, 0 events, 0 outgoing, 0 erasures, 0 quarantined; 0 channels, 0 API keys, 0 read tokens',
    );
    expect(await counts()).toEqual(afterOnce);

    // The SQLite collector stops; PostgreSQL collectors answer at the same address.
    const port = sqliteCol.server.port;
    await sqliteCol.server.close();
    pgCore = makeTestCore();
    pgCol = await openPgCollector(
      url,
      new FileSecretStore(path.join(pgCore.dataDir, 'secrets.json')),
      pgCore.host,
    );
    pgServer = await startServer({
      host: pgCore.host,
      receivers: honourSqliteCursors(pgCol),
      apiToken: null,
      port,
    });
    // One more delivery, received on PostgreSQL only.
    expect(
      (await post(pgServer.url, `/webhooks/360dialog/${PHONE}`, delivery(40), `Bearer ${channel.secret}`))
        .status,
    ).toBe(200);

    // A resumes: only what it lacked (deliveries 30–40), no full re-download.
    const resumed = await a.call('collector.sync', {});
    expect(resumed).toMatchObject({ payloads: 11, duplicatePayloads: 0, events: 0, outgoing: 0 });

    // B syncs everything from PostgreSQL; A ends with exactly B's data.
    const b = makeTestCore();
    desktops.push(b);
    await b.call('collector.configure', { url: pgServer.url, token });
    const full = await b.call('collector.sync', {});
    expect(full.payloads).toBe(36 + 1);
    expect(snapshot(a)).toEqual(snapshot(b));
    expect((snapshot(a).messages as unknown[]).length).toBe(37);
  }, 180_000);
});
