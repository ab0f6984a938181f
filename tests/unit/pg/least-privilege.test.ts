import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/cli/index';
import { addChannelPg } from '../../../src/core/pg/admin';
import { migratePg } from '../../../src/core/pg/migrate';
import { pgMigrations } from '../../../src/core/pg/migrations';
import { openPgStore, type PgStore } from '../../../src/core/pg/pool';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';
import {
  burstDelivery,
  type CollectorProcess,
  startCollectorProcess,
} from '../../helpers/collector-processes';
import { tempDir } from '../../helpers/core';
import { describePostgres, type PgCluster, startCluster } from '../../helpers/postgres';

// The roles of docs/collector.md ("Database and roles: least privilege"), as written there: the owner
// migrates, and a collector logged in as `insights` — rows only, no DDL — starts, stores, serves its
// health and takes its lease.

const CHANNEL = '1234567890';

describePostgres('a collector as the least-privilege role of the docs', () => {
  let cluster: PgCluster;
  const procs: CollectorProcess[] = [];
  let owner: PgStore | undefined;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await owner?.close();
    cluster?.destroy();
  });

  it('starts, stores a delivery, reports healthy and holds its lease; it cannot change the schema', async () => {
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    // One statement a query: CREATE DATABASE cannot run in the implicit transaction of a multi-statement query.
    for (const statement of [
      `CREATE ROLE insights_owner LOGIN PASSWORD 'owner-pw'`,
      `CREATE ROLE insights LOGIN PASSWORD 'app-pw' CONNECTION LIMIT 40`,
      `CREATE DATABASE insights OWNER insights_owner`,
      `REVOKE ALL ON DATABASE insights FROM PUBLIC`,
      `GRANT CONNECT ON DATABASE insights TO insights, insights_owner`,
    ])
      await admin.query(statement);
    await admin.end();
    const inDb = new pg.Client({ connectionString: cluster.url('insights') });
    await inDb.connect();
    await inDb.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC;
      ALTER SCHEMA public OWNER TO insights_owner;
      GRANT USAGE ON SCHEMA public TO insights;
      ALTER DEFAULT PRIVILEGES FOR ROLE insights_owner IN SCHEMA public
        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO insights;
      ALTER DEFAULT PRIVILEGES FOR ROLE insights_owner IN SCHEMA public
        GRANT USAGE ON SEQUENCES TO insights;`);
    await inDb.end();
    const as = (user: string, pw: string) => `postgres://${user}:${pw}@127.0.0.1:${cluster.port}/insights`;

    const ownerStore = openPgStore(as('insights_owner', 'owner-pw'));
    owner = ownerStore;
    await migratePg(ownerStore, pgMigrations);
    const { secret } = await addChannelPg(
      owner,
      new FileSecretStore(path.join(tempDir(), 'secrets.json')),
      'default',
      {
        phoneNumberId: CHANNEL,
      },
    );

    const app = as('insights', 'app-pw');
    const p = await startCollectorProcess(tempDir(), app);
    procs.push(p);
    expect(await (await fetch(`${p.base}/healthz`)).json()).toMatchObject({ ok: true, backend: 'postgres' });
    const r = await fetch(`${p.base}/webhooks/360dialog/${CHANNEL}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: burstDelivery(CHANNEL, 1),
    });
    expect(r.status).toBe(200);
    await vi.waitFor(
      async () =>
        expect((await ownerStore.pool.query('SELECT job FROM leases')).rows).toEqual([{ job: 'retention' }]),
      { timeout: 15_000, interval: 100 },
    );
    expect((await ownerStore.pool.query('SELECT count(*)::int AS n FROM raw_payloads')).rows[0].n).toBe(1);

    // The CLI's --database commands run as that role too: an operator's `keys create` on a collector box.
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((text: string | Uint8Array) => {
      printed.push(String(text));
      return true;
    });
    try {
      await buildProgram()
        .exitOverride()
        .parseAsync([
          'node',
          'insights',
          '--data-dir',
          tempDir(),
          '--database',
          app,
          'keys',
          'create',
          '--name',
          'crm',
        ]);
    } finally {
      write.mockRestore();
    }
    expect(printed.join('')).toMatch(/ik_/);
    expect((await ownerStore.pool.query('SELECT count(*)::int AS n FROM api_keys')).rows[0].n).toBe(1);

    const restricted = new pg.Client({ connectionString: app });
    await restricted.connect();
    try {
      await expect(restricted.query('CREATE TABLE x (a int)')).rejects.toThrow(/permission denied/);
      await expect(restricted.query('DROP TABLE leases')).rejects.toThrow(/must be owner/);
    } finally {
      await restricted.end();
    }
  }, 120_000);
});
