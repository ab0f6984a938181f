import { afterAll, beforeAll, expect, it } from 'vitest';
import { migratePg, type PgMigration } from '../../../src/core/pg/migrate';
import { pgMigrations } from '../../../src/core/pg/migrations';
import { openPgStore, type PgStore } from '../../../src/core/pg/pool';
import { describePostgres, type PgCluster, startCluster } from '../../helpers/postgres';

// The PostgreSQL schema's migrations: applied once even when several collectors start together, and a
// database whose recorded history is not ours is refused with nothing changed (as the SQLite runner does).
describePostgres('PostgreSQL migrations', () => {
  let cluster: PgCluster;
  const stores: PgStore[] = [];
  const open = async (url?: string) => {
    const s = openPgStore(url ?? (await cluster.createDatabase()));
    stores.push(s);
    return s;
  };
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(async () => {
    for (const s of stores) await s.close();
    cluster?.destroy();
  });

  it('applies every migration once, records its checksum, and a second run applies nothing', async () => {
    const store = await open();
    expect(await migratePg(store, pgMigrations)).toEqual({ applied: pgMigrations.map((m) => m.id) });
    expect(await migratePg(store, pgMigrations)).toEqual({ applied: [] });
    const rows = (await store.pool.query('SELECT id, name, length(checksum) AS n FROM schema_migrations'))
      .rows;
    expect(rows).toEqual(pgMigrations.map((m) => ({ id: m.id, name: m.name, n: 64 })));
  });

  it('eight processes starting together on an empty database: each migration runs once, none fails', async () => {
    const url = await cluster.createDatabase();
    const all = await Promise.all(
      Array.from({ length: 8 }, async () => migratePg(await open(url), pgMigrations)),
    );
    expect(all.flatMap((r) => r.applied)).toEqual(pgMigrations.map((m) => m.id));
  });

  it('refuses a database whose migration ran other SQL, or one migrated by a newer version, changing nothing', async () => {
    const store = await open();
    await migratePg(store, pgMigrations);
    await store.pool.query("INSERT INTO settings (workspace, key, value) VALUES ('default', 'k', '1')");
    const edited: PgMigration[] = pgMigrations.map((m, i) =>
      i === 0 ? { ...m, up: `${m.up}\n-- edited` } : m,
    );
    await expect(migratePg(store, edited)).rejects.toMatchObject({ code: 'schema_diverged' });
    const newer: PgMigration[] = [
      ...pgMigrations,
      { id: 99, name: 'future', up: 'CREATE TABLE future (x int)' },
    ];
    await migratePg(store, newer);
    await expect(migratePg(store, pgMigrations)).rejects.toMatchObject({ code: 'newer_database' });
    expect((await store.pool.query('SELECT value FROM settings')).rows).toEqual([{ value: '1' }]);
  });
});
