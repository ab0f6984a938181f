import type { PgMigration } from '../migrate';

// Operations on the PostgreSQL store (issue 18). Frozen as shipped: never edit, add the next number
// (its checksum is recorded).
// - leases: work that must run on one collector process at a time (retention, conversions to Meta) is
//   done only while holding its row (src/core/pg/lease.ts).
// - sqlite_import_*: `insights collector migrate` copies a SQLite collector; what it copied, so that a run
//   resumes where the last stopped and a desktop's SQLite cursor is honoured (src/core/pg/sqlite-import.ts).
export const p0002: PgMigration = {
  id: 2,
  name: 'operations',
  up: `
CREATE TABLE leases (
  workspace text NOT NULL,
  job text NOT NULL,                         -- 'retention', 'conversions', …
  holder text NOT NULL,                      -- the holding process: host name, pid and a random part
  acquired_at timestamptz NOT NULL,          -- since when this holder has it
  renewed_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,           -- the database's clock, never a collector's
  PRIMARY KEY (workspace, job)
);

-- How far the copy of each SQLite table got, per workspace: a run resumes after last_id.
CREATE TABLE sqlite_import_progress (
  workspace text NOT NULL,
  kind text NOT NULL,                        -- p payloads, e events, o outgoing, x erasures, q quarantine
  last_id bigint NOT NULL,                   -- SQLite rowid (sync_erasures.seq for x) copied last
  PRIMARY KEY (workspace, kind)
);

-- Feed rows the copy inserted, with their SQLite position: a desktop's SQLite cursor names rows by it.
CREATE TABLE sqlite_import_rows (
  workspace text NOT NULL,
  kind text NOT NULL,                        -- p, e, o, x
  seq bigint NOT NULL,                       -- the row's seq in raw_payloads / external_events / …
  sqlite_id bigint NOT NULL,
  reissued bigint,                           -- its last sync_reissued.seq on SQLite (served again after it)
  PRIMARY KEY (workspace, kind, seq)
);
`,
};
