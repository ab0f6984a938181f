import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { addChannelPg, createTokenPg } from '../../../src/core/pg/admin';
import { CONVERSIONS_JOB } from '../../../src/core/pg/conversions-round';
import { migratePg } from '../../../src/core/pg/migrate';
import { pgMigrations } from '../../../src/core/pg/migrations';
import { openPgStore, type PgStore } from '../../../src/core/pg/pool';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';
import { type FakeCapi, startFakeCapi } from '../../fakes/fake-capi';
import { type CollectorProcess, startCollectorProcess } from '../../helpers/collector-processes';
import { makeTestCore, tempDir } from '../../helpers/core';
import { capiFixture, ctwaLeads, DATASET, PHONE, WABA } from '../../helpers/ctwa-leads';
import { describePostgres, type PgCluster, startCluster } from '../../helpers/postgres';

// Two `insights serve --database …` processes, each with its own data folder where Meta is connected and
// conversions are mapped, deliveries reaching both. The one holding the `conversions` lease sends; it is
// SIGKILLed while its request to Meta is in flight; the other takes over within the lease's expiry,
// starts from the outbox in PostgreSQL and sends every conversion exactly once (the fake Conversions API
// counts every event_id it accepts). A desktop syncing from the survivor sees them all sent.

const leads = ctwaLeads;
const fixture = capiFixture;

describePostgres('conversions from two collector processes on one PostgreSQL', () => {
  let cluster: PgCluster;
  let store: PgStore;
  let meta: FakeCapi;
  const procs: CollectorProcess[] = [];
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    delete process.env.INSIGHTS_GRAPH_URL;
    delete process.env.TEST_SEND_EVERY_MS;
    await store?.close();
    await meta?.close();
    cluster?.destroy();
  });

  it('SIGKILL of the sender during a request to Meta: the other takes over and every conversion reaches Meta once', async () => {
    // A request to Meta is held until the test lets it go: its sender is killed meanwhile.
    let heldOnce = false;
    let reached!: () => void;
    const atSecond = new Promise<void>((r) => {
      reached = r;
    });
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    meta = await startFakeCapi({
      fixture,
      wabas: [{ id: WABA, datasetId: DATASET }],
      hold: (req) => {
        // The first request carrying a conversion of the second wave.
        if (!req.path.endsWith('/events') || !req.body.includes('ARAclidb') || heldOnce) return undefined;
        heldOnce = true;
        reached();
        return held;
      },
    });
    process.env.INSIGHTS_GRAPH_URL = meta.url;
    const url = await cluster.createDatabase();
    store = openPgStore(url);
    await migratePg(store, pgMigrations);
    const { secret } = await addChannelPg(
      store,
      new FileSecretStore(path.join(tempDir(), 'secrets.json')),
      'default',
      { phoneNumberId: PHONE },
    );
    const { token } = await createTokenPg(store, 'default', 'laptop');

    // Each collector's data folder: Meta connected and conversions on, as `insights --data-dir … conversions …` does.
    const dirs = [tempDir(), tempDir()];
    for (const dir of dirs) {
      const core = makeTestCore(dir);
      await core.call('meta.connectToken', { token: fixture.token });
      await core.call('conversions.map', { eventId: 'button:Book now', metaEvent: 'LeadSubmitted' });
      await core.call('conversions.configure', { enabled: true });
      await core.host.close();
    }
    process.env.TEST_SEND_EVERY_MS = '300';
    for (const dir of dirs) procs.push(await startCollectorProcess(dir, url));

    const deliver = async (bodies: unknown[]) => {
      // As a balancer would: each to one of them, every third to both, never to one that is gone.
      const alive = () => procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
      for (const [i, body] of bodies.entries())
        for (const p of i % 3 === 2 ? alive() : [alive()[i % alive().length]!]) {
          const r = await fetch(`${p.base}/webhooks/360dialog/${PHONE}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
            body: JSON.stringify(body),
          });
          expect(r.status).toBe(200);
        }
    };
    const holder = async () =>
      (
        await store.pool.query<{ holder: string }>('SELECT holder FROM leases WHERE job = $1', [
          CONVERSIONS_JOB,
        ])
      ).rows[0]?.holder ?? null;

    // First: sent and recorded by whichever holds the lease.
    await deliver(leads('a', 3));
    await vi.waitFor(() => expect(meta.ledger.counts().size).toBe(3), { timeout: 60_000, interval: 100 });
    const first = await holder();
    expect(first).not.toBeNull();
    const ownerProc = procs.find((p) => first!.split(':')[1] === String(p.child.pid))!;
    const survivor = procs.find((p) => p !== ownerProc)!;

    // Then: the owner is killed while Meta has its next request.
    await deliver(leads('b', 2));
    await atSecond;
    ownerProc.child.kill('SIGKILL');
    await ownerProc.exited;
    release();
    await deliver(leads('c', 2));

    await vi.waitFor(() => expect(meta.ledger.counts().size).toBe(7), { timeout: 60_000, interval: 200 });
    expect(meta.ledger.duplicates()).toEqual([]);
    expect((await holder())!.split(':')[1]).toBe(String(survivor.child.pid));
    // Meta has them; the sender records its answer locally, then pushes it to PostgreSQL.
    await vi.waitFor(
      async () => {
        const states = await store.pool.query<{ state: string; n: number }>(
          'SELECT state, count(*)::int AS n FROM capi_outbox GROUP BY state',
        );
        expect(states.rows).toEqual([{ state: 'sent', n: 7 }]);
      },
      { timeout: 30_000, interval: 200 },
    );

    // A desktop syncing from the survivor sees them sent.
    const desktop = makeTestCore();
    try {
      await desktop.call('collector.configure', { url: survivor.base, token });
      await desktop.call('collector.sync', {});
      expect(await desktop.call('conversions.status', {})).toMatchObject({ sent: 7, pending: 0, failed: 0 });
    } finally {
      await desktop.close();
    }
  }, 120_000);
});
