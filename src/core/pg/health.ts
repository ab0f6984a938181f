import type pg from 'pg';
import { type BackendHealth, HEALTH_TIMEOUT_MS } from '../kernel/health';

/**
 * /healthz on PostgreSQL: `SELECT 1` through the pool, bounded by a statement timeout on the server
 * and `query_timeout` on the client (https://node-postgres.com/apis/client#new-client — "query_timeout:
 * number of milliseconds before a query call will timeout"), so a database that accepts the connection
 * but does not answer still fails the check quickly.
 */
export function postgresHealth(pool: pg.Pool, timeoutMs = HEALTH_TIMEOUT_MS): BackendHealth {
  return {
    backend: 'postgres',
    check: async () => {
      await pool.query({ text: 'SELECT 1', query_timeout: timeoutMs } as pg.QueryConfig);
    },
  };
}
