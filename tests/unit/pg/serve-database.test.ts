import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serve } from '../../../src/cli/commands/serve';
import { openDatabase } from '../../../src/core/db/open';
import { allHandlers, internalHandlers } from '../../../src/core/entry/handlers';
import { addChannelPg, createTokenPg } from '../../../src/core/pg/admin';
import { openPgStore } from '../../../src/core/pg/pool';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';
import { DEFAULT_BODY_LIMIT } from '../../../src/core/server/server';
import { workspaceDbPath } from '../../../src/core/workspace/workspaces';
import { tempDir } from '../../helpers/core';
import { describePostgres, type PgCluster, startCluster } from '../../helpers/postgres';
import { textDelivery } from '../../helpers/webhook';

// Issue 18 item 1: `insights serve --database postgres://…` (or INSIGHTS_DATABASE_URL) stores what the
// receivers get in PostgreSQL; without it, SQLite as before. A database whose schema history is not this
// version's is refused at start.

const inline = { kind: 'inline' as const, handlers: allHandlers, internal: internalHandlers };
const options = { port: 0, host: '127.0.0.1', open: false, token: 't', bodyLimit: DEFAULT_BODY_LIMIT };

describePostgres('insights serve --database', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(() => cluster?.destroy());

  it('with --database or INSIGHTS_DATABASE_URL the receivers store in PostgreSQL, not in the data folder', async () => {
    const url = await cluster.createDatabase();
    const dataDir = tempDir();
    for (const viaEnv of [false, true]) {
      if (viaEnv) process.env.INSIGHTS_DATABASE_URL = url;
      const running = await serve(dataDir, viaEnv ? options : { ...options, database: url }, inline);
      try {
        expect(running.database).toMatch(/^PostgreSQL 127\.0\.0\.1:\d+\/t_/);
        const base = running.url.split('/#')[0]!;
        const store = openPgStore(url);
        const secrets = new FileSecretStore(`${dataDir}/secrets.json`);
        const phone = viaEnv ? '5550002' : '5550001';
        const { secret } = await addChannelPg(store, secrets, 'default', { phoneNumberId: phone });
        const { token } = await createTokenPg(store, 'default', undefined);
        await store.close();
        const r = await fetch(`${base}/webhooks/360dialog/${phone}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body: JSON.stringify(
            textDelivery({
              phoneNumberId: phone,
              waId: '491510000001',
              id: `wamid.${phone}`,
              ts: 1_764_000_000,
              body: 'hi',
            }),
          ),
        });
        expect(r.status).toBe(200);
        const feed = await (
          await fetch(`${base}/v1/sync`, { headers: { authorization: `Bearer ${token}` } })
        ).text();
        expect(feed).toContain(`wamid.${phone}`);
      } finally {
        await running.close();
        delete process.env.INSIGHTS_DATABASE_URL;
      }
    }
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    expect((await c.query('SELECT channel FROM raw_payloads ORDER BY seq')).rows).toEqual([
      { channel: '5550001' },
      { channel: '5550002' },
    ]);
    await c.end();
    // Nothing went to the data folder's SQLite workspace.
    const db = workspaceDbPath(dataDir, 'default');
    if (fs.existsSync(db)) {
      const sqlite = openDatabase(db);
      expect(sqlite.prepare('SELECT count(*) AS n FROM raw_payloads').get()).toEqual({ n: 0 });
      sqlite.close();
    }
  }, 60_000);

  it('refuses to start on a database whose schema history diverged, and changes nothing', async () => {
    const url = await cluster.createDatabase();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`CREATE TABLE schema_migrations (id integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()); INSERT INTO schema_migrations VALUES (1, 'collector', 'other', now())`);
    await expect(serve(tempDir(), { ...options, database: url }, inline)).rejects.toMatchObject({
      code: 'schema_diverged',
    });
    const tables = await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
    expect(tables.rows[0].n).toBe(1);
    await c.end();
  }, 60_000);
});
