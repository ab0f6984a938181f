import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { activePrefix, declaredSchema, setSchema } from '../../../src/core/attribution/tables';
import { migrate } from '../../../src/core/db/migrate';
import { migrations } from '../../../src/core/db/migrations';
import { workspaceDbPath } from '../../../src/core/workspace/workspaces';
import { feedFixture, PHONE, RANGE } from '../../fixtures/db/feed';
import { makeTestCore, type TestCore, tempDir } from '../../helpers/core';
import { derivedRows } from '../../helpers/derived';

// Databases made by earlier versions open, migrate and answer exactly as a database fed the same data
// today: main.sqlite was built by tests/fixtures/db/build.ts on the code of the commit that added it (schema
// 9, derived cache version 1); the others are made here by running the migrations up to each version.

const LATEST = migrations.at(-1)!.id;

/** Every report of the fixture's range: each event's, the suggested one, and the event list. */
async function reports(core: TestCore) {
  const events = await core.call('events.list', { phone: PHONE, range: RANGE });
  const byEvent: Record<string, unknown> = {};
  for (const e of events.events)
    byEvent[e.id] = await core.call('report.get', { phone: PHONE, range: RANGE, event: e.id });
  return {
    events,
    byEvent,
    suggested: await core.call('report.get', { phone: PHONE, range: RANGE }),
    week: await core.call('report.get', {
      phone: PHONE,
      range: { from: '2026-03-02', to: '2026-03-08' },
      event: 'ext:Purchase',
    }),
  };
}

let fresh: { reports: Awaited<ReturnType<typeof reports>>; derived: Record<string, string[]> };
beforeAll(async () => {
  const core = makeTestCore();
  try {
    await feedFixture(core, tempDir());
    fresh = { reports: await reports(core), derived: derivedRows(core.db()) };
  } finally {
    await core.close();
  }
}, 60_000);

const cores: TestCore[] = [];
afterAll(async () => {
  for (const core of cores) await core.close();
});

/** A core on a data folder whose default workspace is `prepare`'s database. */
function coreWith(prepare: (file: string) => void): TestCore {
  const dataDir = tempDir();
  const file = workspaceDbPath(dataDir, 'default');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  prepare(file);
  const core = makeTestCore(dataDir);
  cores.push(core);
  return core;
}

it('the fixture has data in every report', () => {
  expect(Object.keys(fresh.reports.byEvent).length).toBeGreaterThanOrEqual(3);
  expect(fresh.reports.suggested.totals).toMatchObject({ conversations: 5, leads: 2 });
  expect(fresh.derived.external).toHaveLength(4);
});

it('a database made by main (tests/fixtures/db/main.sqlite) migrates and answers as one fed today', async () => {
  const core = coreWith((file) => fs.copyFileSync(path.resolve('tests/fixtures/db/main.sqlite'), file));
  expect(await reports(core)).toEqual(fresh.reports);
  const db = core.db();
  // main's set was made by version 1 of the derived cache, without multi_contacts (version 2).
  const { multi_contacts: _, ...version1 } = fresh.derived;
  expect(derivedRows(db)).toEqual(version1);
  expect(db.prepare('SELECT MAX(id) FROM schema_migrations').pluck().get()).toBe(LATEST);
  // It was derived with derivation rules 2 (config.ts, DERIVATION_RULES): rules 3 changed how
  // previous_external_event_id is followed, so the set is rebuilt, and answers the same afterwards.
  expect((await core.call('settings.get', {})).rebuildPending).toBe(true);
  await core.call('settings.applyDerivation', {});
  expect((await core.call('settings.get', {})).rebuildPending).toBe(false);
  expect(await reports(core)).toEqual(fresh.reports);
  expect(derivedRows(db)).toEqual(fresh.derived);
}, 60_000);

it.each(Array.from({ length: LATEST }, (_, i) => i))(
  'a database at schema version %i migrates, takes the same data and answers as one fed today',
  async (k) => {
    const core = coreWith((file) => {
      const db = new Database(file);
      migrate(
        db,
        migrations.filter((m) => m.id <= k),
      );
      db.close();
    });
    await feedFixture(core, tempDir());
    expect(await reports(core)).toEqual(fresh.reports);
    const db = core.db();
    expect(derivedRows(db)).toEqual(fresh.derived);
    // The derived set is the declared one, not the one the frozen migrations made.
    expect(setSchema(db, activePrefix(db))).toBe(declaredSchema());
  },
  60_000,
);
