import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { postgresHealth } from '../../../src/core/pg/health';
import { type RunningServer, startServer } from '../../../src/core/server/server';
import { makeTestCore, type TestCore } from '../../helpers/core';
import { describePostgres, type PgCluster, startCluster } from '../../helpers/postgres';

// /healthz on PostgreSQL: 200 while the database answers, 503 while it is down (a balancer takes the
// process out), 200 again once it is back, without a restart.
describePostgres('/healthz with PostgreSQL', () => {
  let cluster: PgCluster;
  let core: TestCore;
  let pool: pg.Pool;
  let server: RunningServer;
  beforeAll(async () => {
    cluster = await startCluster();
    core = makeTestCore();
    pool = new pg.Pool({ connectionString: await cluster.createDatabase(), connectionTimeoutMillis: 1000 });
    // A pool's idle client whose server went away reports it here; the next query takes a new one.
    pool.on('error', () => {});
    server = await startServer({ host: core.host, apiToken: null, port: 0, health: postgresHealth(pool) });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await pool?.end();
    await core?.close();
    cluster?.destroy();
  });

  const health = async () => {
    const r = await fetch(`${server.url}/healthz`);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  it('follows the database down and back up', async () => {
    expect(await health()).toMatchObject({
      status: 200,
      body: { ok: true, backend: 'postgres', database: 'ok' },
    });
    cluster.stop();
    expect(await health()).toEqual({
      status: 503,
      body: { ok: false, backend: 'postgres', database: 'unreachable' },
    });
    cluster.start();
    await vi.waitFor(async () => expect((await health()).status).toBe(200), {
      timeout: 15_000,
      interval: 200,
    });
  }, 60_000);
});
