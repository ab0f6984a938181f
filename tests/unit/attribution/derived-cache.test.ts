import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { DERIVED_CACHE_VERSION } from '../../../src/core/attribution/derived-cache';
import { rebuildDerived, rebuildNeeded } from '../../../src/core/attribution/rebuild';
import {
  activePrefix,
  DERIVED_TABLES,
  declaredSchema,
  derivedDdl,
  type Prefix,
  setObjects,
  setSchema,
} from '../../../src/core/attribution/tables';
import { type Db, openDatabase } from '../../../src/core/db/open';
import { feedFixture, PHONE, RANGE } from '../../fixtures/db/feed';
import { makeTestCore, type TestCore, tempDir } from '../../helpers/core';
import { derivedRows } from '../../helpers/derived';
import { type Ext, feed, type Msg, makeDb, seed } from './feed';

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

it('version 3 of the declaration is the shape of the sets main made (tests/fixtures/db/main.sqlite, version 1) plus the attribution models and the contacts of several numbers', () => {
  const main = new Database(path.resolve('tests/fixtures/db/main.sqlite'), { readonly: true });
  const declared = new Database(':memory:');
  declared.exec(derivedDdl('attr_b_'));
  expect(DERIVED_CACHE_VERSION).toBe(3);
  const { multi_contacts, ...mine } = shape(declared, 'attr_b_');
  const { multi_contacts: none, ...theirs } = shape(main, 'attr_a_');
  // Version 3 added multi_contacts (All numbers' distinct contacts) and the triggers that keep it, and
  // phone and source to conv_contact (the index All numbers reads those contacts' conversations from)…
  type TableShape = { indexes: { name: string; columns: { name: string | null }[] }[] };
  const columnsOf = (t: unknown, index: string) =>
    (t as TableShape).indexes
      .find((i) => i.name === index)!
      .columns.map((c) => c.name)
      .filter((c) => c !== null);
  expect(columnsOf(theirs.conversations, '$conv_contact')).toEqual(['contact', 'start_ts']);
  expect(columnsOf(mine.conversations, '$conv_contact')).toEqual(['contact', 'start_ts', 'phone', 'source']);
  const withoutIndex = (t: unknown) => ({
    ...(t as TableShape),
    indexes: (t as TableShape).indexes.filter((i) => i.name !== '$conv_contact'),
  });
  mine.conversations = withoutIndex(mine.conversations);
  theirs.conversations = withoutIndex(theirs.conversations);
  expect(none).toMatchObject({ columns: [] });
  expect(multi_contacts).toMatchObject({
    columns: [{ name: 'contact', pk: 1 }],
    strict: { strict: 1, wr: 1 },
  });
  const isMulti = (t: string) => t.includes('TRIGGER $multi_contacts_');
  expect((mine.triggers as string[]).filter(isMulti)).toHaveLength(3);
  // …and each model's summaries, block summaries, indexes and triggers (ft_*, lpt_*) and the
  // conversations' model columns; everything else is as version 1 made it.
  const isModel = (s: string) => /\$(ft|lpt)_/.test(s) || /^(ft|lpt)_/.test(s);
  const conv = mine.conversations as { columns: { name: string }[]; indexes: { name: string }[] };
  expect(conv.columns.slice(-4).map((c) => c.name)).toEqual([
    'ft_source',
    'ft_prev_day',
    'lpt_source',
    'lpt_prev_day',
  ]);
  const v1 = Object.fromEntries(Object.entries(mine).filter(([t]) => !isModel(t)));
  for (const t of Object.keys(theirs)) if (isModel(t)) delete theirs[t];
  v1.conversations = {
    ...conv,
    columns: conv.columns.slice(0, -4),
    indexes: conv.indexes.filter((i) => !isModel(i.name)),
  };
  v1.triggers = (mine.triggers as string[]).filter((t) => !isModel(t) && !isMulti(t));
  expect(v1).toEqual(theirs);
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

it('live derivation keeps writing a set from an older declaration that lacks a newer summary', async () => {
  const messages: Msg[] = [
    {
      id: 'a',
      ts: '2026-03-02 10:00',
      text: 'x',
      referral: { source_id: '77', headline: 'Spring' },
      contact: '4911',
    },
    { id: 'b', ts: '2026-03-04 10:00', text: 'Hello', contact: '4933' },
  ];
  const events: Ext[] = [
    { id: 'e', action: 'Purchase', ts: '2026-03-02 12:00', contact: '4911', amount: 20, currency: 'USD' },
  ];
  const later: Msg = { id: 'c', ts: '2026-03-05 10:00', text: 'Again', contact: '4955' };
  const laterEvent: Ext = {
    id: 'f',
    action: 'Purchase',
    ts: '2026-03-05 11:00',
    contact: '4955',
    amount: 5,
    currency: 'USD',
  };
  const expected = makeDb();
  feed(expected, { messages: [...messages, later], events: [...events, laterEvent] });

  const file = path.join(tempDir(), 'ws.sqlite');
  const old = seed(openDatabase(file));
  feed(old, { messages, events });
  const p = activePrefix(old);
  old.exec(`DROP TABLE ${p}day_rev`);
  const config = JSON.parse(
    old.prepare("SELECT value FROM attr_state WHERE key = 'config'").pluck().get() as string,
  );
  old
    .prepare("UPDATE attr_state SET value = ? WHERE key = 'config'")
    .run(JSON.stringify({ ...config, cache: DERIVED_CACHE_VERSION - 1 }));
  old.close();

  // Today's code on that database: a delivery is derived into the old set while the rebuild is pending.
  const db = openDatabase(file);
  feed(db, { messages: [later], events: [laterEvent] });
  expect(db.prepare(`SELECT COUNT(*) FROM ${p}conversations`).pluck().get()).toBe(3);
  expect(db.prepare(`SELECT COUNT(*) FROM ${p}rev_all`).pluck().get()).toBe(2);
  expect(rebuildNeeded(db)).toBe(true);
  await rebuildDerived(db);
  expect(rebuildNeeded(db)).toBe(false);
  expect(setSchema(db, activePrefix(db))).toBe(declaredSchema());
  expect(derivedRows(db)).toEqual(derivedRows(expected));
  db.close();
  expected.close();
});

it('live derivation keeps writing the set main made (version 1: no model columns) until its rebuild', async () => {
  const file = path.join(tempDir(), 'ws.sqlite');
  fs.copyFileSync(path.resolve('tests/fixtures/db/main.sqlite'), file);
  const db = openDatabase(file);
  const p = activePrefix(db);
  const before = db.prepare(`SELECT COUNT(*) FROM ${p}conversations`).pluck().get() as number;
  // A new contact and a returning one (appended to its thread, and a thread re-derived by an older message).
  const contact = db.prepare(`SELECT contact FROM ${p}conversations LIMIT 1`).pluck().get() as string;
  feed(db, {
    messages: [
      { id: 'v1-new', ts: '2026-03-25 10:00', text: 'hello', phone: PHONE, contact: '4999' },
      { id: 'v1-again', ts: '2026-03-28 10:00', text: 'again', phone: PHONE, contact },
      { id: 'v1-older', ts: '2025-01-01 10:00', text: 'long ago', phone: PHONE, contact },
    ],
  });
  expect(db.prepare(`SELECT COUNT(*) FROM ${p}conversations`).pluck().get()).toBe(before + 3);
  expect(rebuildNeeded(db)).toBe(true);
  await rebuildDerived(db);
  expect(setSchema(db, activePrefix(db))).toBe(declaredSchema());
  db.close();
});
