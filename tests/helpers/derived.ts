import { activePrefix, DERIVED_TABLES } from '../../src/core/attribution/tables';
import type { Db } from '../../src/core/db/open';

/**
 * Every derived table of the active set, rows sorted, ids replaced by what identifies the row across sets
 * (a source or event by its key, a conversation by its first message): sets derived in a different order
 * number their rows differently, and an external event is named by its sender's event_id. A table the set
 * does not have (made by an older declaration) is absent from the result.
 */
export function derivedRows(db: Db): Record<string, string[]> {
  const p = activePrefix(db);
  const idMap = (sql: string) =>
    new Map((db.prepare(sql).raw().all() as [number, string][]).map(([id, key]) => [id, key]));
  const maps: Record<string, Map<number, string>> = {
    source: idMap(`SELECT id, key FROM ${p}sources`),
    event: idMap(`SELECT id, key FROM ${p}events`),
    conv: idMap(`SELECT id, first_message_id FROM ${p}conversations`),
  };
  // A conversation's source in the attribution models is a source too.
  maps.ft_source = maps.source!;
  maps.lpt_source = maps.source!;
  // External events get a random id when stored: named by the sender's event_id where there is one.
  const external = new Map(
    db.prepare('SELECT id, coalesce(event_id, id) FROM external_events').raw().all() as [string, string][],
  );
  const name = (k: string, v: unknown) =>
    maps[k] && typeof v === 'number'
      ? maps[k].get(v)
      : (k === 'event_id' || k === 'ref') && typeof v === 'string'
        ? (external.get(v) ?? v)
        : v;
  const out: Record<string, string[]> = {};
  for (const table of DERIVED_TABLES) {
    // A set made by an older declaration lacks the tables added since (derived-cache.ts): left out.
    if (
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(`${p}${table}`) ===
      undefined
    )
      continue;
    out[table] = (db.prepare(`SELECT * FROM ${p}${table}`).all() as Record<string, unknown>[])
      .map((row) => {
        const r: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(row)) {
          if (k === 'id') continue;
          r[k] = name(k, v);
        }
        return JSON.stringify(r);
      })
      .sort();
  }
  return out;
}
