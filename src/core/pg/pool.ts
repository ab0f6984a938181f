import pg from 'pg';
import { ApiError } from '../../shared/contract/errors';

// One pg.Pool per process. Every query is a named prepared statement (parsed once per connection:
// https://node-postgres.com/features/queries#prepared-statements). A connection or availability error
// becomes ApiError('unavailable'), which the receivers answer with 503 (httpStatusFor), so a sender such as
// 360dialog retries; the pool opens fresh connections on the next query once PostgreSQL is back.

/** A statement: its name (unique per text) and its SQL. */
export interface Sql {
  name: string;
  text: string;
}

export const sql = (name: string, text: string): Sql => ({ name, text });

export type Queryable = Pick<pg.PoolClient, 'query'>;

export interface PgStore {
  readonly pool: pg.Pool;
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    s: Sql,
    values?: unknown[],
    on?: Queryable,
  ): Promise<R[]>;
  /** Runs fn in one transaction (READ COMMITTED unless `mode` says otherwise); COMMIT before it returns. */
  tx<T>(fn: (c: pg.PoolClient) => Promise<T>, mode?: string): Promise<T>;
  close(): Promise<void>;
}

export interface PoolOptions {
  /** Connections of this process (default 10). PostgreSQL's max_connections bounds all processes together. */
  max?: number;
  /** How long a query waits for a connection before the delivery is answered 503 (default 5 s). */
  connectTimeoutMs?: number;
}

// bigint (int8) as a JS number: ids stay far below 2^53. xid8 stays a string (it is only compared in SQL).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function openPgStore(url: string, options: PoolOptions = {}): PgStore {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'insights-collector',
  });
  // An idle connection cut by a PostgreSQL restart emits 'error' on the pool: it is dropped from the
  // pool (the next query connects anew); unhandled, it would end the process.
  pool.on('error', () => {});
  const query = async <R extends pg.QueryResultRow>(s: Sql, values: unknown[] = [], on?: Queryable) => {
    try {
      const r = await (on ?? pool).query<R>({ name: s.name, text: s.text, values });
      return r.rows;
    } catch (err) {
      throw asApiError(err);
    }
  };
  return {
    pool,
    query,
    async tx(fn, mode) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw asApiError(err);
      }
      let broken = false;
      // A connection cut while checked out (between two statements) emits 'error' on the client, which the
      // pool listens for only while the client is idle: unhandled it would end the process. The next
      // statement fails too and is answered 503.
      const cut = () => {
        broken = true;
      };
      client.on('error', cut);
      try {
        await client.query(mode ? `BEGIN ${mode}` : 'BEGIN');
        const out = await fn(client);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection is gone: do not hand it out again
        }
        throw asApiError(err);
      } finally {
        client.off('error', cut);
        client.release(broken || undefined);
      }
    },
    close: () => pool.end(),
  };
}

/**
 * SQLSTATE classes that mean "the database cannot serve now", not "this request is wrong":
 * 08 connection exception, 53 insufficient resources, 57P01–57P03 shutdown / cannot connect now
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 */
function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/^(08|53)/.test(code) || /^57P0[1-3]$/.test(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code))
    return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended/i.test(
    message,
  );
}

export function asApiError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  if (isUnavailable(err))
    return new ApiError(
      'unavailable',
      'The database is unreachable just now; the delivery was not stored, retry',
    );
  return err;
}
