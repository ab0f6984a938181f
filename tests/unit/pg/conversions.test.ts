import { afterAll, beforeAll, expect, it } from 'vitest';
import { outboxEventId } from '../../../src/core/conversions/outbox';
import { conversionsJob, sendingWorkspaces } from '../../../src/core/pg/conversions-owner';
import { CONVERSIONS_JOB, type RoundResult } from '../../../src/core/pg/conversions-round';
import { eraseContactPg } from '../../../src/core/pg/erase';
import { readPgPage } from '../../../src/core/pg/feed';
import { acquireLease, releaseLease } from '../../../src/core/pg/lease';
import { importSqliteCollector } from '../../../src/core/pg/sqlite-import';
import { startServer } from '../../../src/core/server/server';
import { type FakeCapi, startFakeCapi } from '../../fakes/fake-capi';
import { type CollectorUnderTest, postgresBackend } from '../../helpers/collector-backend';
import { makeTestCore } from '../../helpers/core';
import { capiFixture, ctwaLeads, DATASET, PHONE, WABA } from '../../helpers/ctwa-leads';
import { describePostgres } from '../../helpers/postgres';

// Conversions to Meta on PostgreSQL (issue 18 item 4): two collectors on one database, each with its own
// data folder, Meta connected and conversions mapped there; deliveries reach both. Whichever holds the
// workspace's `conversions` lease plans from its SQLite copy (fed from the PostgreSQL feed) and sends with
// the real client to the fake Conversions API, whose ledger counts every event_id it accepts (Meta does not
// deduplicate business-messaging events). The lease is moved by hand here (lease.test.ts and
// conversions-processes.test.ts cover the election and a killed owner).

const WS = 'default';
const nowS = Math.floor(Date.now() / 1000);

/** Ad conversations with a "Book now" lead each; `noClid` ones come from a Status placement (not sendable). */
const leads = ctwaLeads;
const fixture = capiFixture;

describePostgres('conversions to Meta from PostgreSQL collectors', () => {
  let url: string;
  let a: CollectorUnderTest;
  let b: CollectorUnderTest;
  let meta: FakeCapi;
  let secret: string;
  let readToken: string;
  const holderOf = { a: 'test-a:1', b: 'test-b:2' };

  beforeAll(async () => {
    const cluster = await postgresBackend.cluster!();
    url = await cluster.createDatabase();
    a = await postgresBackend.start({ databaseUrl: url });
    b = await postgresBackend.start({ databaseUrl: url });
    meta = await startFakeCapi({ fixture, wabas: [{ id: WABA, datasetId: DATASET }] });
    process.env.INSIGHTS_GRAPH_URL = meta.url;
    secret = (await a.addChannel({ phoneNumberId: PHONE })).secret;
    readToken = (await b.createToken('laptop')).token;
    // Each collector's own data folder: its Meta token and its conversions settings.
    for (const c of [a, b]) {
      await c.core.call('meta.connectToken', { token: fixture.token });
      await c.core.call('conversions.map', { eventId: 'button:Book now', metaEvent: 'LeadSubmitted' });
      await c.core.call('conversions.configure', { enabled: true });
    }
  });
  afterAll(async () => {
    delete process.env.INSIGHTS_GRAPH_URL;
    await a?.close();
    await b?.close();
    await meta?.close();
  });

  /** Each delivery to one collector or the other, some to both (the same delivery stored once). */
  async function deliver(bodies: unknown[]) {
    for (const [i, body] of bodies.entries()) {
      const to = i % 3 === 2 ? [a, b] : [i % 2 ? a : b];
      for (const c of to) {
        const r = await fetch(`${c.server.url}/webhooks/360dialog/${PHONE}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
          body: JSON.stringify(body),
        });
        expect(r.status).toBe(200);
      }
    }
  }

  const pool = () => a.pg!.store.pool;

  /** Moves the lease to `who` (the other gives it up) and runs one round there. */
  async function roundOn(who: 'a' | 'b'): Promise<RoundResult> {
    const other = who === 'a' ? 'b' : 'a';
    await releaseLease(pool(), WS, CONVERSIONS_JOB, holderOf[other]);
    expect((await acquireLease(pool(), WS, CONVERSIONS_JOB, holderOf[who])).held).toBe(true);
    const c = who === 'a' ? a : b;
    return (await c.core.host.internal(
      'conversions.pgRound',
      WS,
      { databaseUrl: url, holder: holderOf[who] },
      'job',
    )) as RoundResult;
  }

  const pgStates = async () =>
    (
      await pool().query<{ state: string; n: number }>(
        `SELECT state, count(*)::int AS n FROM capi_outbox WHERE workspace = $1 GROUP BY state ORDER BY state`,
        [WS],
      )
    ).rows;

  it('sends each conversion once whichever collector owns the lease, each owner starting from the outbox in PostgreSQL', async () => {
    await deliver(leads('x', 5, 4));
    const first = await roundOn('a');
    expect(first).toMatchObject({ sent: 4, unanswered: 0 });
    expect(meta.ledger.counts().size).toBe(4);
    expect(await pgStates()).toEqual([
      { state: 'not_sendable', n: 1 },
      { state: 'sent', n: 4 },
    ]);

    // B takes over with nothing of its own yet: it builds its copy from the feed and sends only what is new.
    await deliver(leads('y', 3));
    const second = await roundOn('b');
    expect(second.synced).toBeGreaterThan(0);
    expect(second).toMatchObject({ sent: 3, unanswered: 0 });
    // A again, its copy behind B's sends: it sends nothing twice.
    await deliver(leads('z', 2));
    expect(await roundOn('a')).toMatchObject({ sent: 2 });
    expect(await roundOn('b')).toMatchObject({ sent: 0 });
    expect(meta.ledger.duplicates()).toEqual([]);
    expect(meta.ledger.events).toHaveLength(9);
    // The copy is sent from by the lease holder only, never by a command on the data folder.
    await expect(a.core.call('conversions.send', {})).rejects.toThrow(
      /copy a PostgreSQL collector sends from/,
    );
    expect(await pgStates()).toEqual([
      { state: 'not_sendable', n: 1 },
      { state: 'sent', n: 9 },
    ]);

    // The feed serves the outbox as a SQLite collector does: a desktop syncing from B sees every state.
    const desktop = makeTestCore();
    try {
      await desktop.call('collector.configure', { url: b.server.url, token: readToken });
      expect(await desktop.call('collector.sync', {})).toMatchObject({ conversions: 10 });
      expect(await desktop.call('conversions.status', {})).toMatchObject({
        sent: 9,
        notSendable: 1,
        pending: 0,
        sender: { kind: 'collector' },
      });
      const listed = await desktop.call('conversions.list', { state: 'sent' });
      expect(listed.entries.map((e) => e.eventId).sort()).toEqual([...meta.ledger.counts().keys()].sort());
      // The click id and the contact stay on the collector.
      const page = await readPgPage(a.pg!.store, WS, '', 1000, false);
      const outbox = page.page.items.filter((i) => i.type === 'outbox');
      expect(outbox).toHaveLength(10);
      expect(outbox.every((i) => !('ctwa_clid' in i.outbox) && !('contact_id' in i.outbox))).toBe(true);
    } finally {
      await desktop.close();
    }
  });

  it('only a process that can send contends for the lease: conversions on and Meta connected in its data folder', async () => {
    expect(await sendingWorkspaces(a.core.host, pool())).toEqual([WS]);
    const halfway = makeTestCore();
    try {
      await halfway.call('conversions.map', { eventId: 'button:Book now', metaEvent: 'LeadSubmitted' });
      expect(await sendingWorkspaces(halfway.host, pool())).toEqual([]);
      await halfway.call('conversions.configure', { enabled: true });
      expect(await sendingWorkspaces(halfway.host, pool())).toEqual([]);
      await halfway.call('meta.connectToken', { token: fixture.token });
      expect(await sendingWorkspaces(halfway.host, pool())).toEqual([WS]);
    } finally {
      await halfway.close();
    }
  });

  it('a collector whose lease ran out posts nothing, even with entries due', async () => {
    await deliver(leads('w', 2));
    const before = meta.eventRequests().length;
    // A's lease expired and nobody took it yet: A still believes it holds it.
    await releaseLease(pool(), WS, CONVERSIONS_JOB, holderOf.b);
    await acquireLease(pool(), WS, CONVERSIONS_JOB, holderOf.a);
    await pool().query(`UPDATE leases SET expires_at = now() - interval '1 second' WHERE job = $1`, [
      CONVERSIONS_JOB,
    ]);
    await expect(
      a.core.host.internal('conversions.pgRound', WS, { databaseUrl: url, holder: holderOf.a }, 'job'),
    ).rejects.toThrow(/no longer holds the conversions lease/);
    expect(meta.eventRequests().length).toBe(before);
    // Whoever holds it next sends them, once.
    expect(await roundOn('b')).toMatchObject({ sent: 2 });
    expect(meta.ledger.duplicates()).toEqual([]);
  });

  it('a stopping owner lets its request to Meta finish and starts no other; the next owner sends the rest', async () => {
    // Two WhatsApp Business Accounts, so one round makes two requests (one per dataset); the first is held.
    const PHONE2 = '106540352242923';
    const WABA2 = '102290129340399';
    let reached!: () => void;
    const atFirst = new Promise<void>((r) => {
      reached = r;
    });
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let holding = true;
    const meta2 = await startFakeCapi({
      fixture,
      wabas: [
        { id: WABA, datasetId: DATASET },
        { id: WABA2, datasetId: '900000000000002' },
      ],
      hold: (req) => {
        if (!req.path.endsWith('/events') || !holding) return undefined;
        holding = false;
        reached();
        return held;
      },
    });
    process.env.INSIGHTS_GRAPH_URL = meta2.url;
    try {
      const secret2 = (await a.addChannel({ phoneNumberId: PHONE2 })).secret;
      await deliver(leads('s', 2));
      for (const body of leads('t', 2).map((d) =>
        JSON.parse(JSON.stringify(d).replaceAll(PHONE, PHONE2).replaceAll(WABA, WABA2)),
      )) {
        const r = await fetch(`${b.server.url}/webhooks/360dialog/${PHONE2}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${secret2}` },
          body: JSON.stringify(body),
        });
        expect(r.status).toBe(200);
      }
      await releaseLease(pool(), WS, CONVERSIONS_JOB, holderOf.b);
      expect((await acquireLease(pool(), WS, CONVERSIONS_JOB, holderOf.a)).held).toBe(true);
      const stop = new AbortController();
      const run = conversionsJob(a.core.host, url, 60_000).run({
        workspace: WS,
        holder: holderOf.a,
        signal: stop.signal,
      });
      const settled = run.then(
        () => 'done',
        (err: Error) => err.message,
      );
      await atFirst;
      stop.abort(); // what the owner runner does when it stops or loses the lease
      release();
      expect(await settled).toMatch(/Stopped before the next request to Meta/);
      expect(meta2.eventRequests()).toHaveLength(1);
      expect(meta2.ledger.events).toHaveLength(2);
      // The next owner sends the other account's two, and nothing twice.
      expect(await roundOn('b')).toMatchObject({ sent: 2 });
      expect(meta2.ledger.events).toHaveLength(4);
      expect(meta2.ledger.duplicates()).toEqual([]);
    } finally {
      process.env.INSIGHTS_GRAPH_URL = meta.url;
      await meta2.close();
    }
  });

  it('a conversion a desktop reports as sent (POST /v1/conversions/sent to either collector) is never sent', async () => {
    const bodies = leads('h', 2);
    const conversation = 'wamid.h.0.a';
    const sentElsewhere = {
      eventId: outboxEventId(conversation, 'button:Book now', 'LeadSubmitted'),
      conversation,
      phoneNumberId: PHONE,
      sourceKey: 'ad:120210000000077',
      eventKey: 'button:Book now',
      metaEvent: 'LeadSubmitted',
      occurrence: 'wamid.h.0.b',
      eventTime: nowS - 7200 + 30,
      sentAt: Date.now() - 60_000,
    };
    const r = await fetch(`${a.server.url}/v1/conversions/sent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${readToken}` },
      body: JSON.stringify({ events: [sentElsewhere] }),
    });
    expect(r.status).toBe(200);
    await deliver(bodies);
    expect(await roundOn('b')).toMatchObject({ sent: 1 });
    expect(meta.ledger.count(sentElsewhere.eventId)).toBe(0);
    const row = await pool().query(
      'SELECT state, reason FROM capi_outbox WHERE workspace = $1 AND event_id = $2',
      [WS, sentElsewhere.eventId],
    );
    expect(row.rows).toEqual([{ state: 'sent', reason: 'sent_elsewhere' }]);
    expect(await roundOn('a')).toMatchObject({ sent: 0 });
    expect(meta.ledger.duplicates()).toEqual([]);
  });

  it('an erase on PostgreSQL leaves the outbox only what stops a second send', async () => {
    await deliver(leads('7', 2, 1));
    expect(await roundOn('a')).toMatchObject({ sent: 1 });
    const erased = ['491510070', '491510071'];
    for (const phone of erased) await eraseContactPg(a.pg!.store, WS, `+${phone}`);
    const rows = await pool().query(
      `SELECT state, reason, contact_id, ctwa_clid FROM capi_outbox WHERE workspace = $1
       AND conversation = ANY($2::text[]) ORDER BY conversation`,
      [WS, ['wamid.7.0.a', 'wamid.7.1.a']],
    );
    expect(rows.rows).toEqual([
      { state: 'sent', reason: null, contact_id: null, ctwa_clid: null },
      { state: 'withdrawn', reason: 'erased', contact_id: null, ctwa_clid: null },
    ]);
    // The next owner's copy gets the erasure from the feed: nothing comes back, nothing is sent.
    expect(await roundOn('b')).toMatchObject({ sent: 0 });
    const again = await pool().query(
      'SELECT count(*)::int AS n FROM capi_outbox WHERE workspace = $1 AND contact_id = ANY($2::text[])',
      [WS, erased],
    );
    expect(again.rows).toEqual([{ n: 0 }]);
  });

  it('after `collector migrate` from a SQLite collector that sent, nothing it sent is sent again', async () => {
    // The SQLite collector: receives, plans and sends as before the move.
    const old = makeTestCore();
    const server = await startServer({ host: old.host, apiToken: null, port: 0 });
    try {
      await old.call('meta.connectToken', { token: fixture.token });
      const { secret: oldSecret } = await old.call('channels.add', { phoneNumberId: '5550009' });
      await old.call('conversions.map', { eventId: 'button:Book now', metaEvent: 'LeadSubmitted' });
      await old.call('conversions.configure', { enabled: true });
      const bodies = leads('m', 3).map((d) => JSON.parse(JSON.stringify(d).replaceAll(PHONE, '5550009')));
      for (const body of bodies) {
        const r = await fetch(`${server.url}/webhooks/360dialog/5550009`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${oldSecret}` },
          body: JSON.stringify(body),
        });
        expect(r.status).toBe(200);
      }
      expect(await old.call('conversions.send', {})).toMatchObject({ sent: 3 });
      const sentBefore = meta.ledger.events.length;

      // Moved into a database of its own, then sent from by a PostgreSQL collector.
      const targetUrl = await (await postgresBackend.cluster!()).createDatabase();
      const target = await postgresBackend.start({ databaseUrl: targetUrl });
      try {
        const [moved] = await importSqliteCollector(target.pg!.store, old.dataDir);
        expect(moved).toMatchObject({ workspace: WS, outbox: 3 });
        await target.core.call('meta.connectToken', { token: fixture.token });
        await target.core.call('conversions.map', { eventId: 'button:Book now', metaEvent: 'LeadSubmitted' });
        await target.core.call('conversions.configure', { enabled: true });
        const holder = 'test-c:3';
        expect((await acquireLease(target.pg!.store.pool, WS, CONVERSIONS_JOB, holder)).held).toBe(true);
        const r = (await target.core.host.internal(
          'conversions.pgRound',
          WS,
          { databaseUrl: targetUrl, holder },
          'job',
        )) as RoundResult;
        expect(r).toMatchObject({ sent: 0 });
        expect(r.synced).toBeGreaterThan(0);
        expect(meta.ledger.events.length).toBe(sentBefore);
        expect(meta.ledger.duplicates()).toEqual([]);
      } finally {
        await target.close();
      }
    } finally {
      await server.close();
      await old.close();
    }
  });
});
