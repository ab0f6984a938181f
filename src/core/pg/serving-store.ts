import { createHash } from 'node:crypto';
import type { HostApi } from '../kernel/host-api';
import type { SecretStore } from '../secrets/secret-store';
import { PgCollector } from './collector';
import { migratePg, type PgMigration } from './migrate';
import { pgMigrations } from './migrations';
import { asApiError, openPgStore, type PgStore } from './pool';

// A collector process logs in as a role that may only read and write rows (docs/collector.md, "Database
// and roles"): it cannot run DDL, not even the migration runner's `CREATE TABLE IF NOT EXISTS`, which
// PostgreSQL checks against the schema's CREATE privilege before it looks for the table
// (https://www.postgresql.org/docs/current/ddl-priv.html: CREATE on a schema "allows new objects to be
// created within the schema"). So a schema whose recorded history is exactly ours is used as it is; any
// other (new, behind, diverged, newer) goes through the migration runner, which applies or refuses.

const checksum = (m: PgMigration) => createHash('sha256').update(m.up).digest('hex');

/** Whether `schema_migrations` records exactly `migrations` (ids, names, checksums): nothing to do. */
export async function schemaIsCurrent(store: PgStore, migrations: readonly PgMigration[]): Promise<boolean> {
  const [t] = (await store.pool.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present"))
    .rows as {
    present: boolean;
  }[];
  if (!t?.present) return false;
  const done = (await store.pool.query('SELECT id, name, checksum FROM schema_migrations ORDER BY id'))
    .rows as {
    id: number;
    name: string;
    checksum: string;
  }[];
  return (
    done.length === migrations.length &&
    done.every((row, i) => {
      const m = migrations[i]!;
      return row.id === m.id && row.name === m.name && row.checksum === checksum(m);
    })
  );
}

/** The PostgreSQL collector for `insights serve`: migrated only when its schema is not already current. */
export async function openServingPgCollector(
  url: string,
  secrets: SecretStore,
  local: HostApi,
): Promise<PgCollector> {
  const store = openPgStore(url);
  try {
    if (!(await schemaIsCurrent(store, pgMigrations))) await migratePg(store, pgMigrations);
  } catch (err) {
    await store.close();
    throw asApiError(err);
  }
  return new PgCollector(store, secrets, local);
}
