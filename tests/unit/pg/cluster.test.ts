import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres, type PgCluster, startCluster } from '../../helpers/postgres';

// The harness every PostgreSQL test stands on: a throwaway cluster on 127.0.0.1 that can be stopped
// and started again (the receivers' "PostgreSQL went down" tests rely on both).
describePostgres('throwaway PostgreSQL cluster', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(() => cluster?.destroy());

  it('gives each caller its own empty database, and survives a stop and start', async () => {
    const url = await cluster.createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE t (n int)');
    await client.query('INSERT INTO t VALUES (1)');
    await client.end();

    cluster.stop();
    const down = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    await expect(down.connect()).rejects.toThrow();
    cluster.start();

    const again = new pg.Client({ connectionString: url });
    await again.connect();
    const r = await again.query('SELECT n FROM t');
    expect(r.rows).toEqual([{ n: 1 }]);
    expect((await again.query('SELECT inet_server_addr()::text AS a')).rows[0].a).toBe('127.0.0.1/32');
    await again.end();
    expect(await cluster.createDatabase()).not.toBe(url);
  }, 120_000);
});
