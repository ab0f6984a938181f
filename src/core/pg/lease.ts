import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';

// Work that must run once per workspace (retention; conversions to Meta) runs on whichever collector
// process holds that (workspace, job)'s lease: a row in `leases` (PostgreSQL migration 0002) naming the holder and
// an expiry on the database's clock. The holder renews it every RENEW_EVERY_MS; a holder that dies
// stops renewing and any other process takes the row over once it has expired (LEASE_TTL_MS), so the
// work moves within ~25 s. A process that stops cleanly deletes its rows: another takes over at its
// next attempt (contenders ask again every RENEW_EVERY_MS, or just after the holder's expiry).
//
// A row rather than an advisory lock: a session-level advisory lock belongs to one server connection,
// which a transaction-pooling pgbouncer does not keep for a client ("Session-level advisory locks" are
// not supported in transaction pooling: https://www.pgbouncer.org/features.html#sql-feature-map-for-pooling-modes);
// a lock on a connection whose client vanished without a FIN is held until the server notices (TCP
// keepalive, minutes to hours), where a row expires on time; and `SELECT * FROM leases` shows who holds
// what since when.

/** A lease not renewed for this long is free for another process. */
export const LEASE_TTL_MS = 25_000;
/** How often the holder renews: two renewals can fail before the lease expires. */
export const RENEW_EVERY_MS = 10_000;

export type LeaseQueryable = Pick<pg.Pool, 'query'>;

/** This process as a lease holder: readable in `leases.holder` (host and pid), unique per start. */
export function holderId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export interface LeaseState {
  held: boolean;
  /** Who holds it now (this process when held). */
  holder: string | null;
  /** Until the current holder's lease expires, by the database's clock (0 when free or ours). */
  remainingMs: number;
}

// One statement takes a free or expired lease, or renews our own. Under concurrent contenders
// INSERT … ON CONFLICT DO UPDATE is atomic ("guarantees an atomic INSERT or UPDATE outcome",
// https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT), and the WHERE is evaluated
// again on the row a competing transaction just committed, so of two processes seeing the same expired
// row only one gets it.
const ACQUIRE = {
  name: 'lease_acquire',
  text: `INSERT INTO leases AS l (workspace, job, holder, acquired_at, renewed_at, expires_at)
         VALUES ($1, $2, $3, now(), now(), now() + make_interval(secs => $4::double precision))
         ON CONFLICT (workspace, job) DO UPDATE
           SET holder = EXCLUDED.holder,
               acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at ELSE now() END,
               renewed_at = now(),
               expires_at = EXCLUDED.expires_at
           WHERE l.holder = EXCLUDED.holder OR l.expires_at <= now()
         RETURNING holder`,
};

const CURRENT = {
  name: 'lease_current',
  text: `SELECT holder, greatest(0, extract(epoch FROM expires_at - now()) * 1000)::float8 AS remaining_ms
         FROM leases WHERE workspace = $1 AND job = $2`,
};

const RELEASE = {
  name: 'lease_release',
  text: 'DELETE FROM leases WHERE workspace = $1 AND job = $2 AND holder = $3',
};

/** Takes or renews the lease of (workspace, job) for `holder`; says who holds it otherwise. */
export async function acquireLease(
  db: LeaseQueryable,
  workspace: string,
  job: string,
  holder: string,
  ttlMs = LEASE_TTL_MS,
): Promise<LeaseState> {
  const got = await db.query({ ...ACQUIRE, values: [workspace, job, holder, ttlMs / 1000] });
  if (got.rowCount === 1) return { held: true, holder, remainingMs: 0 };
  const cur = await db.query<{ holder: string; remaining_ms: number }>({
    ...CURRENT,
    values: [workspace, job],
  });
  const row = cur.rows[0];
  return { held: false, holder: row?.holder ?? null, remainingMs: row ? Number(row.remaining_ms) : 0 };
}

/** Gives the lease up (a clean stop): another process takes it at its next attempt. */
export async function releaseLease(
  db: LeaseQueryable,
  workspace: string,
  job: string,
  holder: string,
): Promise<void> {
  await db.query({ ...RELEASE, values: [workspace, job, holder] });
}

/**
 * SQL that is true while `holder` ($n, $n+1, $n+2: workspace, job, holder) still holds the lease, for
 * the owner's own writes: a holder that was paused past its expiry (a stopped VM, a long GC) and lost
 * the lease changes nothing, whatever it believes.
 */
export function leaseFence(n: number): string {
  return `EXISTS (SELECT 1 FROM leases WHERE workspace = $${n} AND job = $${n + 1} AND holder = $${n + 2} AND expires_at > now())`;
}
