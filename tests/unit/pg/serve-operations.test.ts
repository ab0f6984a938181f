import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { addChannelPg } from '../../../src/core/pg/admin';
import { migratePg } from '../../../src/core/pg/migrate';
import { pgMigrations } from '../../../src/core/pg/migrations';
import { openPgStore, type PgStore } from '../../../src/core/pg/pool';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';
import { type CollectorProcess, startCollectorProcess } from '../../helpers/collector-processes';
import { tempDir } from '../../helpers/core';
import { describePostgres, type PgCluster, startCluster } from '../../helpers/postgres';

// `insights serve --database …` as an operator runs it: /healthz names PostgreSQL and follows it, the
// process takes the retention lease of each workspace, and a SIGTERM gives the lease up.

describePostgres('serve --database: health and owner-only work', () => {
  let cluster: PgCluster;
  let store: PgStore;
  let url: string;
  const procs: CollectorProcess[] = [];
  beforeAll(async () => {
    cluster = await startCluster();
    url = await cluster.createDatabase();
    store = openPgStore(url);
    await migratePg(store, pgMigrations);
    await addChannelPg(store, new FileSecretStore(path.join(tempDir(), 'secrets.json')), 'default', {
      phoneNumberId: '1234567890',
    });
  }, 120_000);
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await store?.close();
    cluster?.destroy();
  });

  it('reports PostgreSQL on /healthz, holds the retention lease, gives it up on SIGTERM', async () => {
    const p = await startCollectorProcess(tempDir(), url);
    procs.push(p);
    const health = await fetch(`${p.base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, backend: 'postgres', database: 'ok' });
    const leases = async () =>
      (await store.pool.query('SELECT workspace, job, holder FROM leases ORDER BY workspace, job')).rows as {
        holder: string;
      }[];
    await vi.waitFor(
      async () => expect(await leases()).toMatchObject([{ workspace: 'default', job: 'retention' }]),
      {
        timeout: 15_000,
        interval: 100,
      },
    );
    expect((await leases())[0]!.holder).toContain(`:${p.child.pid}:`);

    cluster.stop();
    try {
      const down = await fetch(`${p.base}/healthz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ ok: false, backend: 'postgres', database: 'unreachable' });
    } finally {
      cluster.start();
    }
    await vi.waitFor(async () => expect((await fetch(`${p.base}/healthz`)).status).toBe(200), {
      timeout: 15_000,
      interval: 200,
    });

    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(await leases()).toEqual([]);
  }, 120_000);
});
