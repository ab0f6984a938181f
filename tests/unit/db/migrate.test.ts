import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type Migration, migrate } from '../../../src/core/db/migrate';
import { migrations } from '../../../src/core/db/migrations';
import { openDatabase } from '../../../src/core/db/open';
import { tempDir } from '../../helpers/core';

const open: Database.Database[] = [];
const fresh = () => {
  const db = new Database(path.join(tempDir(), 'db.sqlite'));
  open.push(db);
  return db;
};
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

describe('migrate', () => {
  it('applies every migration once and records it', () => {
    const db = fresh();
    expect(migrate(db, migrations).applied).toEqual(migrations.map((m) => m.id));
    expect(migrate(db, migrations).applied).toEqual([]);
    const rows = db.prepare('SELECT id, name FROM schema_migrations ORDER BY id').all();
    expect(rows).toEqual(migrations.map((m) => ({ id: m.id, name: m.name })));
  });

  it('skips what another connection applied after this one read the history (two lanes opening at once)', () => {
    const file = path.join(tempDir(), 'db.sqlite');
    const a = new Database(file);
    const b = new Database(file);
    open.push(a, b);
    migrate(a, migrations.slice(0, 8));
    // b reads the history (8 applied), then a applies the rest before b takes the write lock: the list's
    // filter (which runs right after the read) is where the other connection gets in.
    const racing = Object.assign([...migrations], {
      filter(this: Migration[], ...args: Parameters<Migration[]['filter']>) {
        migrate(a, migrations);
        return Array.prototype.filter.apply(this, args);
      },
    });
    expect(migrate(b, racing).applied).toEqual([]);
    expect(b.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: migrations.length });
  });

  it('refuses a database migrated by a newer version and leaves it untouched', () => {
    const db = fresh();
    const future: Migration[] = [
      ...migrations,
      { id: 9999, name: 'future', up: 'CREATE TABLE future_t (x INTEGER)' },
    ];
    migrate(db, future);
    const before = db.prepare('SELECT * FROM schema_migrations').all();
    expect(() => migrate(db, migrations)).toThrow(/newer version/);
    expect(db.prepare('SELECT * FROM schema_migrations').all()).toEqual(before);
  });

  it('refuses a diverged history', () => {
    const db = fresh();
    migrate(db, [{ id: 1, name: 'something-else', up: 'CREATE TABLE x (a INTEGER)' }]);
    expect(() => migrate(db, migrations)).toThrow(/does not match/);
  });

  it('rolls a failing migration back completely', () => {
    const db = fresh();
    const bad: Migration[] = [
      { id: 1, name: 'bad', up: 'CREATE TABLE ok_t (a INTEGER); CREATE TABLE ok_t (a INTEGER);' },
    ];
    expect(() => migrate(db, bad)).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok_t'").get()).toBeUndefined();
    expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: 0 });
  });

  it('opens with WAL, foreign keys and a busy timeout', () => {
    const db = openDatabase(path.join(tempDir(), 'w.sqlite'));
    open.push(db);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(10000);
  });
});
