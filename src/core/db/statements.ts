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
 * The columns of a statement whose every column is a `json_group_array(...)` of integers or text (SQLite
 * prints a REAL with 15 digits only), as one array per column: row i is column[0][i], column[1][i], ….
 * Handing hundreds of rows to JavaScript one by one costs about a microsecond per row in the driver, more
 * than SQLite spends finding them; a few JSON texts parsed by JSON.parse cost a fraction of that (SQLite's
 * JSON functions: https://sqlite.org/json1.html, "The json_group_array() and json_group_object() aggregate
 * SQL functions").
 */
export function jsonColumns<T extends unknown[][]>(stmt: Database.Statement, ...args: unknown[]): T {
  const texts = stmt.raw().get(...args) as string[];
  return texts.map((t) => JSON.parse(t)) as T;
}
