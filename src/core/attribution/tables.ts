import { type Db, openDatabase } from '../db/open';
import { cachedStatement } from '../db/statements';
import { BLOCKS, INDEXES, MULTI_NUMBER_CONTACTS, ROW_TABLES, SUMMARIES, type Summary } from './derived-cache';

export { BLOCK_DAYS, WEEK_DAYS } from './derived-cache';

// Derived data lives in one of two table sets, attr_a_* or attr_b_*. A rebuild fills the inactive set
// while reports keep reading the active one, then one transaction flips attr_state 'active' and drops the
// old set, so the old result stays readable until the new one is complete.

export type Prefix = 'attr_a_' | 'attr_b_';

/** The derived tables, their indexes and the triggers that keep block summaries: one table set. */
export function derivedDdl(p: Prefix): string {
  return `${derivedTablesDdl(p)}\n${derivedIndexesDdl(p)}\n${blockTriggersDdl(p)}`;
}

const prefixed = (sql: string, p: Prefix) => sql.replaceAll('$', p);

/** A summary's table: its keys, then its counters, keyed by the keys. */
function summaryDdl(table: string, s: Summary): string {
  const cols = [
    ...s.keys.map(([name, type]) => `${name} ${type} NOT NULL`),
    ...s.values.map((v) => `${v} INTEGER NOT NULL`),
  ];
  return `
CREATE TABLE $${table} (
  ${cols.join(', ')},
  PRIMARY KEY (${s.keys.map(([name]) => name).join(', ')})
) STRICT, WITHOUT ROWID;`;
}

/**
 * The tables alone: a rebuild loads them first and adds indexes and triggers afterwards (building an
 * index from loaded rows is far cheaper than keeping it through a million inserts).
 */
export function derivedTablesDdl(p: Prefix): string {
  const tables = [
    ...Object.values(ROW_TABLES),
    ...Object.entries(SUMMARIES).map(([table, s]) => summaryDdl(table, s)),
    ...Object.keys(BLOCKS).map(
      (table) => `
CREATE TABLE $${table} (
  phone TEXT NOT NULL, block INTEGER NOT NULL, source INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (phone, block, source)
) STRICT, WITHOUT ROWID;`,
    ),
    MULTI_NUMBER_CONTACTS.table,
  ];
  return prefixed(tables.join('\n'), p);
}

/** Keep the block summaries from sum_src (and each model's), and the contacts of several numbers from conversations. */
export function blockTriggersDdl(p: Prefix): string {
  return `${prefixed(MULTI_NUMBER_CONTACTS.triggers, p)}\n${Object.entries(BLOCKS)
    .map(
      ([table, { of, days }]) => `
CREATE TRIGGER ${p}${table}_ins AFTER INSERT ON ${p}${of} BEGIN
  INSERT INTO ${p}${table} VALUES (NEW.phone, NEW.day / ${days}, NEW.source, NEW.n)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER ${p}${table}_upd AFTER UPDATE OF n ON ${p}${of} BEGIN
  UPDATE ${p}${table} SET n = n + NEW.n - OLD.n WHERE phone = NEW.phone AND block = NEW.day / ${days} AND source = NEW.source;
  DELETE FROM ${p}${table} WHERE phone = NEW.phone AND block = NEW.day / ${days} AND source = NEW.source AND n = 0;
END;
CREATE TRIGGER ${p}${table}_del AFTER DELETE ON ${p}${of} BEGIN
  UPDATE ${p}${table} SET n = n - OLD.n WHERE phone = OLD.phone AND block = OLD.day / ${days} AND source = OLD.source;
  DELETE FROM ${p}${table} WHERE phone = OLD.phone AND block = OLD.day / ${days} AND source = OLD.source AND n = 0;
END;`,
    )
    .join('\n')}`;
}

/** Secondary indexes of a table set (the tables' keys and UNIQUE columns are part of their DDL). */
export function derivedIndexesDdl(p: Prefix): string {
  return Object.values(INDEXES)
    .map((sql) => `${prefixed(sql, p)};`)
    .join('\n');
}

/**
 * Fill empty block summaries from sum_src and each model's, and the contacts of several numbers from
 * conversations (before the triggers exist, or rows count twice).
 */
export function blockFillSql(p: Prefix): string[] {
  return [
    ...Object.entries(BLOCKS).map(
      ([table, { of, days }]) =>
        `INSERT INTO ${p}${table} SELECT phone, day / ${days}, source, SUM(n) FROM ${p}${of} GROUP BY 1, 2, 3 HAVING SUM(n) <> 0`,
    ),
    prefixed(MULTI_NUMBER_CONTACTS.fill, p),
  ];
}

export type DerivedTable =
  | keyof typeof ROW_TABLES
  | keyof typeof SUMMARIES
  | keyof typeof BLOCKS
  | 'multi_contacts';

export const DERIVED_TABLES = [
  ...Object.keys(ROW_TABLES),
  ...Object.keys(SUMMARIES),
  ...Object.keys(BLOCKS),
  'multi_contacts',
] as readonly DerivedTable[];

export function tableExists(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** The table set reports read and live derivation writes, made from the declaration if nothing was derived yet. */
export function activePrefix(db: Db): Prefix {
  const row = cachedStatement(db, "SELECT value FROM attr_state WHERE key = 'active'").pluck().get() as
    | string
    | undefined;
  const p: Prefix = row
    ? (JSON.parse(row) as Prefix)
    : tableExists(db, 'attr_a_conversations')
      ? 'attr_a_'
      : 'attr_b_';
  if (!checked.has(db)) ensureDeclaredSet(db, p);
  return p;
}

/** Connections whose active set was checked against the declaration. */
const checked = new WeakSet<Db>();

/**
 * Makes the active set again from the declaration when it has another shape and holds nothing derived:
 * the set the frozen migrations made (0004, 0007), on a database no derivation has written to yet (no
 * applied config). A set that was derived is replaced by a rebuild instead: its config names the
 * declaration's version it was made with (DerivationConfig.cache), so rebuildNeeded sees the change.
 */
function ensureDeclaredSet(db: Db, p: Prefix): void {
  const stale = () =>
    cachedStatement(db, "SELECT 1 FROM attr_state WHERE key = 'config'").get() === undefined &&
    setSchema(db, p) !== declaredSchema();
  if (!db.readonly && stale())
    db.transaction(() => {
      if (!stale()) return; // another connection did it meanwhile
      dropDerived(db, p);
      db.exec(derivedDdl(p));
      createViews(db, p);
    }).immediate();
  checked.add(db);
}

/** Set `p`'s schema as SQLite keeps it (each object's CREATE statement), with `$` for the prefix. */
export function setSchema(db: Db, p: Prefix): string {
  return setObjects(db, p)
    .map((o) => `${o.type} ${o.sql}`.replaceAll(p, '$'))
    .sort()
    .join('\n');
}

let declared: string | undefined;

/** The schema of a set made from the declaration, as SQLite keeps it: made once in memory. */
export function declaredSchema(): string {
  if (declared === undefined) {
    const mem = openDatabase(':memory:', { migrations: [] });
    try {
      mem.exec(derivedDdl('attr_a_'));
      declared = setSchema(mem, 'attr_a_');
    } finally {
      mem.close();
    }
  }
  return declared;
}

export function otherPrefix(p: Prefix): Prefix {
  return p === 'attr_a_' ? 'attr_b_' : 'attr_a_';
}

/** Tables, indexes and triggers of set `p` as the database has them (of whichever declaration made them). */
export function setObjects(db: Db, p: Prefix): { type: string; name: string; sql: string }[] {
  return db
    .prepare(
      "SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'index', 'trigger') AND substr(name, 1, 7) = ?",
    )
    .all(p) as { type: string; name: string; sql: string }[];
}

/** Drops every table of set `p`, with their indexes and triggers, whatever declaration made them. */
export function dropDerived(db: Db, p: Prefix): void {
  for (const t of setObjects(db, p)) if (t.type === 'table') db.exec(`DROP TABLE IF EXISTS "${t.name}"`);
}

/** Views under stable names, for other areas (export, support tools) that read conversations and sources. */
export function createViews(db: Db, p: Prefix): void {
  db.exec(`DROP VIEW IF EXISTS attr_conversations; DROP VIEW IF EXISTS attr_sources;
CREATE VIEW attr_conversations AS SELECT * FROM ${p}conversations;
CREATE VIEW attr_sources AS SELECT * FROM ${p}sources;`);
}
