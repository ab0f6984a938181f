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
