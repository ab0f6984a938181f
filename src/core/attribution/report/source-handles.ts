import type { Db } from '../../db/open';
import { cachedStatement, jsonColumns } from '../../db/statements';
import type { Prefix } from '../tables';

// The key and kind of the source ids a report counted, kept by the lane between reports. A source row is
// written once with its key and kind and never deleted (engine/dictionaries.ts updates only its name), so
// what is kept stays true; only ids not seen yet are read. A rebuild writes a new table set (the other
// prefix, its tables dropped and created again), which changes the schema version
// (https://www.sqlite.org/pragma.html#pragma_schema_version): everything kept is then forgotten. Names
// change, so they are never kept here.

export interface SourceHandle {
  key: string;
  kind: string;
}

interface Kept {
  prefix: Prefix;
  schema: number;
  byId: Map<number, SourceHandle>;
}

/** Far above any workspace seen (about 2,000 sources per million conversations); a bound, not a tuning. */
const MAX_KEPT = 200_000;

const kept = new WeakMap<Db, Kept>();

/** Key and kind of each of `ids` (ids without a source row are absent). */
export function sourceHandles(db: Db, p: Prefix, ids: Iterable<number>): ReadonlyMap<number, SourceHandle> {
  const schema = (cachedStatement(db, 'PRAGMA schema_version').raw().get() as [number])[0];
  let k = kept.get(db);
  if (!k || k.prefix !== p || k.schema !== schema || k.byId.size > MAX_KEPT) {
    k = { prefix: p, schema, byId: new Map() };
    kept.set(db, k);
  }
  const missing: number[] = [];
  for (const id of ids) if (!k.byId.has(id)) missing.push(id);
  if (missing.length > 0) {
    const [id, key, kind] = jsonColumns<[number[], string[], string[]]>(
      cachedStatement(
        db,
        `SELECT json_group_array(s.id), json_group_array(s.key), json_group_array(s.kind)
         FROM json_each(?) j JOIN ${p}sources s ON s.id = j.value`,
      ),
      JSON.stringify(missing),
    );
    for (let i = 0; i < id.length; i++) k.byId.set(id[i]!, { key: key[i]!, kind: kind[i]! });
  }
  return k.byId;
}

/** Current names of the sources `ids` (null: none derived yet), in one statement. */
export function sourceNames(db: Db, p: Prefix, ids: number[]): Map<number, string | null> {
  if (ids.length === 0) return new Map();
  const [id, name] = jsonColumns<[number[], (string | null)[]]>(
    cachedStatement(
      db,
      `SELECT json_group_array(s.id), json_group_array(s.name) FROM json_each(?) j JOIN ${p}sources s ON s.id = j.value`,
    ),
    JSON.stringify(ids),
  );
  const out = new Map<number, string | null>();
  for (let i = 0; i < id.length; i++) out.set(id[i]!, name[i]!);
  return out;
}
