import type { HostApi } from '../kernel/host-api';
import type { SecretStore } from '../secrets/secret-store';
import { PgCollector } from './collector';
import { migratePg } from './migrate';
import { pgMigrations } from './migrations';
import { asApiError, openPgStore } from './pool';

/**
 * The PostgreSQL collector for `insights serve`. A collector process may log in as a role that can only
 * read and write rows: the runner leaves a current schema untouched (migrate.ts, schemaIsCurrent).
 */
export async function openServingPgCollector(
  url: string,
  secrets: SecretStore,
  local: HostApi,
): Promise<PgCollector> {
  const store = openPgStore(url);
  try {
    await migratePg(store, pgMigrations);
  } catch (err) {
    await store.close();
    throw asApiError(err);
  }
  return new PgCollector(store, secrets, local);
}
