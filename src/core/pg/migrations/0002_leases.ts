// Work that must run on one collector process at a time (retention, conversions to Meta) is done
// only while holding a lease row (src/core/pg/lease.ts). Frozen as shipped: never edit, add the next
// number (its checksum is recorded).
export const p0002 = {
  id: 2,
  name: 'leases',
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
`,
} as const;
