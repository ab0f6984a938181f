import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { DERIVED_CACHE_VERSION } from '../../../src/core/attribution/derived-cache';
import {
  activePrefix,
  DERIVED_TABLES,
  declaredSchema,
  derivedDdl,
  type Prefix,
  setObjects,
  setSchema,
} from '../../../src/core/attribution/tables';
import type { Db } from '../../../src/core/db/open';
import { feedFixture, PHONE, RANGE } from '../../fixtures/db/feed';
import { makeTestCore, type TestCore, tempDir } from '../../helpers/core';
import { derivedRows } from '../../helpers/derived';

// The derived cache is declared once (derived-cache.ts); a set made from another version of the
// declaration is rebuilt into the declared one, and reports answer from the old set until the swap.

let core: TestCore | undefined;
afterEach(async () => {
  await core?.close();
  core = undefined;
});

/** Columns, indexes and triggers of set `p` as SQLite describes them (whatever the DDL's spacing). */
function shape(db: Db, p: Prefix) {
  const out: Record<string, unknown> = {};
  for (const t of DERIVED_TABLES) {
    const name = `${p}${t}`;
    out[t] = {
      columns: db.pragma(`table_xinfo("${name}")`),
      strict: db.prepare('SELECT strict, wr FROM pragma_table_list WHERE name = ?').get(name),
      indexes: (db.pragma(`index_list("${name}")`) as { name: string; unique: number; partial: number }[])
        .map((i) => ({
          name: i.name.replace(p, '$').replace(/^sqlite_autoindex_.*/, 'auto'),
          unique: i.unique,
          partial: i.partial,
          columns: db.pragma(`index_xinfo("${i.name}")`),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }
  out.triggers = setObjects(db, p)
    .filter((o) => o.type === 'trigger')
    .map((o) => o.sql.replaceAll(p, '$'))
    .sort();
  return out;
}

it('version 1 of the declaration is the shape of the sets main made (tests/fixtures/db/main.sqlite)', () => {
  const main = new Database(path.resolve('tests/fixtures/db/main.sqlite'), { readonly: true });
  const declared = new Database(':memory:');
  declared.exec(derivedDdl('attr_b_'));
  expect(DERIVED_CACHE_VERSION).toBe(1);
  expect(shape(declared, 'attr_b_')).toEqual(shape(main, 'attr_a_'));
  main.close();
  declared.close();
});

it('a set made from an older declaration is rebuilt into the declared one; reports answer meanwhile', async () => {
  core = makeTestCore();
  await feedFixture(core, tempDir());
  const db = core.db();
  const report = () => core!.call('report.get', { phone: PHONE, range: RANGE, event: 'ext:Purchase' });
  const before = { report: await report(), rows: derivedRows(db) };
  // The set as an older declaration made it: without one of today's indexes, version one lower.
  const p = activePrefix(db);
  db.exec(`DROP INDEX ${p}sources_kind`);
  const config = JSON.parse(
    db.prepare("SELECT value FROM attr_state WHERE key = 'config'").pluck().get() as string,
  );
  db.prepare("UPDATE attr_state SET value = ? WHERE key = 'config'").run(
    JSON.stringify({ ...config, cache: DERIVED_CACHE_VERSION - 1 }),
  );
  expect(setSchema(db, p)).not.toBe(declaredSchema());

  expect((await core.call('settings.get', {})).rebuildPending).toBe(true);
  expect(await report()).toEqual(before.report);
  expect(await core.call('settings.applyDerivation', {})).toEqual({ rebuilt: true });

  expect((await core.call('settings.get', {})).rebuildPending).toBe(false);
  const now = activePrefix(db);
  expect(now).not.toBe(p);
  expect(setSchema(db, now)).toBe(declaredSchema());
  expect(setObjects(db, p)).toEqual([]);
  const applied = JSON.parse(
    db.prepare("SELECT value FROM attr_state WHERE key = 'config'").pluck().get() as string,
  );
  expect(applied.cache).toBe(DERIVED_CACHE_VERSION);
  expect(derivedRows(db)).toEqual(before.rows);
  expect(await report()).toEqual(before.report);
}, 60_000);
