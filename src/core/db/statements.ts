import type Database from 'better-sqlite3';
import type { Db } from './open';

// Preparing a statement costs more than running a small one; reports run dozens per call.
const cache = new WeakMap<Db, Map<string, Database.Statement>>();

/** A statement prepared once per connection, handed out in its default mode (objects, not raw/plucked). */
export function cachedStatement(db: Db, sql: string): Database.Statement {
  let m = cache.get(db);
  if (!m) {
    m = new Map();
    cache.set(db, m);
  }
  let s = m.get(sql);
  if (!s) {
    s = db.prepare(sql);
    m.set(sql, s);
  }
  if (s.reader) s.pluck(false).raw(false);
  return s;
}

/**
 * The rows of a statement that returns one row with `json_group_array(json_array(...))` (integers and text
 * only: SQLite prints a REAL with 15 digits), as arrays. Handing hundreds of rows to JavaScript one by one
 * costs about a microsecond per row in the driver, far more than SQLite spends finding them; one JSON text
 * parsed by JSON.parse costs a fraction of that (SQLite JSON functions: https://sqlite.org/json1.html,
 * section "The json_group_array() and json_group_object() aggregate SQL functions").
 */
export function jsonRows<T extends unknown[]>(stmt: Database.Statement, ...args: unknown[]): T[] {
  const text = stmt.pluck().get(...args) as string | null | undefined;
  return text ? (JSON.parse(text) as T[]) : [];
}
