import { createHash } from 'node:crypto';
import type pg from 'pg';
import { ApiError } from '../../shared/contract/errors';
import { asApiError, type PgStore } from './pool';

export interface PgMigration {
  id: number;
  name: string;
  /** Literal SQL, frozen as shipped: its sha256 is recorded, and a database that ran other SQL is refused. */
  up: string;
}

/**
 * One key for "the collector's schema is being migrated": every process starting against the same database
 * takes this session-level advisory lock first, so two collectors starting together apply each migration
 * once (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS). Any 64-bit number
 * nothing else uses; this one is "insights" in ASCII (0x696e736967687473).
 */
export const MIGRATION_LOCK_KEY = '7597136517964264563';

const checksum = (m: PgMigration) => createHash('sha256').update(m.up).digest('hex');

/**
 * Whether `schema_migrations` records exactly `migrations` (ids, names, checksums): nothing to do. Read
 * without DDL, so a role that may only read and write rows (docs/collector.md, "Database and roles") can
 * start: even `CREATE TABLE IF NOT EXISTS` is checked against the schema's CREATE privilege before the
 * table is looked for (https://www.postgresql.org/docs/current/ddl-priv.html, CREATE on a schema).
 */
export async function schemaIsCurrent(store: PgStore, migrations: readonly PgMigration[]): Promise<boolean> {
  const [t] = (await store.pool.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present"))
    .rows as { present: boolean }[];
  if (!t?.present) return false;
  const done = (await store.pool.query('SELECT id, name, checksum FROM schema_migrations ORDER BY id'))
    .rows as { id: number; name: string; checksum: string }[];
  return (
    done.length === migrations.length &&
    done.every((row, i) => {
      const m = migrations[i]!;
      return row.id === m.id && row.name === m.name && row.checksum === checksum(m);
    })
  );
}

/**
 * Applies the pending migrations (none, and no DDL, when the schema is current), each in its own transaction, recording id, name and checksum in
 * `schema_migrations`. Refuses, changing nothing, a database migrated by a newer version or whose
 * recorded history differs from ours (another name or checksum, a gap) — as the SQLite runner does
 * (src/core/db/migrate.ts): running on a schema we do not know would corrupt the data.
 */
export async function migratePg(
  store: PgStore,
  migrations: readonly PgMigration[],
): Promise<{ applied: number[] }> {
  for (let i = 1; i < migrations.length; i++)
    if (migrations[i]!.id <= migrations[i - 1]!.id)
      throw new Error('migrations must be listed in increasing id order');
  try {
    if (await schemaIsCurrent(store, migrations)) return { applied: [] };
  } catch (err) {
    throw asApiError(err);
  }
  let client: pg.PoolClient;
  try {
    client = await store.pool.connect();
  } catch (err) {
    throw asApiError(err);
  }
  const cut = () => {}; // a cut connection fails the next statement (see pool.ts)
  client.on('error', cut);
  try {
    await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = (await client.query('SELECT id, name, checksum FROM schema_migrations ORDER BY id'))
      .rows as {
      id: number;
      name: string;
      checksum: string;
    }[];
    assertSameHistory(done, migrations);
    const doneIds = new Set(done.map((r) => r.id));
    const applied: number[] = [];
    for (const m of migrations) {
      if (doneIds.has(m.id)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.up);
        await client.query('INSERT INTO schema_migrations (id, name, checksum) VALUES ($1, $2, $3)', [
          m.id,
          m.name,
          checksum(m),
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      applied.push(m.id);
    }
    return { applied };
  } catch (err) {
    throw asApiError(err);
  } finally {
    // Unlocked explicitly (a pooled connection outlives this call); a lost connection drops the lock anyway.
    await client.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`).catch(() => {});
    client.off('error', cut);
    client.release();
  }
}

function assertSameHistory(
  done: { id: number; name: string; checksum: string }[],
  migrations: readonly PgMigration[],
): void {
  const known = new Map(migrations.map((m) => [m.id, m]));
  const newest = migrations.at(-1)?.id ?? 0;
  for (const row of done) {
    if (row.id > newest)
      throw new ApiError(
        'newer_database',
        `This PostgreSQL database was migrated by a newer version of Insights (schema ${row.id}, this version knows up to ${newest}). Update this collector; the data was left untouched.`,
      );
    const m = known.get(row.id);
    if (!m || m.name !== row.name || checksum(m) !== row.checksum)
      throw new ApiError(
        'schema_diverged',
        `This PostgreSQL database's schema history does not match this version (migration ${row.id} "${row.name}"). The data was left untouched.`,
      );
  }
  const last = done.at(-1)?.id ?? 0;
  const missing = migrations.find((m) => m.id < last && !done.some((r) => r.id === m.id));
  if (missing)
    throw new ApiError(
      'schema_diverged',
      `Migration ${missing.id} is missing from an already newer PostgreSQL database. The data was left untouched.`,
    );
}
