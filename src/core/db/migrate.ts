import type Database from 'better-sqlite3';
import { ApiError } from '../../shared/contract/errors';

export interface Migration {
  id: number;
  name: string;
  up: string | ((db: Database.Database) => void);
}

/**
 * Applies numbered migrations, each in its own transaction, recording them in `schema_migrations`.
 * Refuses (and changes nothing) when the database was migrated by a newer app, or when its recorded
 * history diverges from ours — running on a schema we do not know would corrupt the user's data.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): { applied: number[] } {
  assertOrdered(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  const done = db.prepare('SELECT id, name FROM schema_migrations ORDER BY id').all() as {
    id: number;
    name: string;
  }[];
  const known = new Map(migrations.map((m) => [m.id, m]));
  const newest = migrations.at(-1)?.id ?? 0;
  for (const row of done) {
    if (row.id > newest) {
      throw new ApiError(
        'newer_database',
        `This workspace was opened by a newer version of Insights Desktop (schema ${row.id}, this version knows up to ${newest}). Update the app; the data was left untouched.`,
      );
    }
    const m = known.get(row.id);
    if (!m || m.name !== row.name) {
      throw new ApiError(
        'schema_diverged',
        `This workspace's schema history does not match this version (migration ${row.id} "${row.name}"). The data was left untouched.`,
      );
    }
  }
  const doneIds = new Set(done.map((r) => r.id));
  const pending = migrations.filter((m) => !doneIds.has(m.id));
  if (pending.length > 0 && done.length > 0 && pending[0]!.id < done.at(-1)!.id) {
    throw new ApiError(
      'schema_diverged',
      `Migration ${pending[0]!.id} is missing from an already newer workspace.`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)');
  const recorded = db.prepare('SELECT 1 FROM schema_migrations WHERE id = ?');
  const applied: number[] = [];
  for (const m of pending) {
    // Each lane opens the workspace with its own connection: another one may have applied this migration
    // since `done` was read. Under the write lock (IMMEDIATE) the check is exact.
    const ran = db
      .transaction(() => {
        if (recorded.get(m.id)) return false;
        if (typeof m.up === 'string') db.exec(m.up);
        else m.up(db);
        record.run(m.id, m.name, new Date().toISOString());
        return true;
      })
      .immediate();
    if (ran) applied.push(m.id);
  }
  return { applied };
}

function assertOrdered(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.id <= migrations[i - 1]!.id)
      throw new Error('migrations must be listed in increasing id order');
  }
}
