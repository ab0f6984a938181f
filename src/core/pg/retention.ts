import { RETENTION_KEY } from '../ingest/retention';
import { setSettingPg } from './admin';
import { acquireLease, holderId, type LeaseQueryable, leaseFence, releaseLease } from './lease';
import type { OwnerJob } from './owner-work';
import type { PgStore } from './pool';

// Retention on the PostgreSQL store: as on SQLite (src/core/ingest/retention.ts), raw bodies older than
// the workspace's `ingest.rawRetentionDays` setting are dropped (the row and its hash stay, so a late
// re-delivery is still recognised). Owner-only work: one process per workspace, under its lease.

export const RETENTION_JOB = 'retention';
const STEP_ROWS = 5000;

const SETTING = {
  name: 'retention_days',
  text: 'SELECT value FROM settings WHERE workspace = $1 AND key = $2',
};

// Small steps, so deliveries get the rows between them; each only while this process still holds the
// lease (the fence is part of the statement).
const STEP = {
  name: 'retention_step',
  text: `UPDATE raw_payloads SET body = NULL
         WHERE seq IN (SELECT seq FROM raw_payloads
                       WHERE workspace = $1 AND received_at < $4 AND body IS NOT NULL LIMIT ${STEP_ROWS})
           AND ${leaseFence(1)}`,
};

export async function retentionDays(db: LeaseQueryable, workspace: string): Promise<number | null> {
  const r = await db.query<{ value: string }>({ ...SETTING, values: [workspace, RETENTION_KEY] });
  const v = r.rows[0] ? (JSON.parse(r.rows[0].value) as unknown) : null;
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null;
}

/** Drops the bodies past the retention of `workspace`; returns how many. Stops when `signal` aborts. */
export async function applyPgRetention(
  db: LeaseQueryable,
  workspace: string,
  holder: string,
  signal: AbortSignal,
  now = Date.now(),
): Promise<number> {
  const days = await retentionDays(db, workspace);
  if (days === null) return 0;
  let total = 0;
  while (!signal.aborted) {
    const r = await db.query({
      ...STEP,
      values: [workspace, RETENTION_JOB, holder, now - days * 86_400_000],
    });
    total += r.rowCount ?? 0;
    if (!r.rowCount) break;
  }
  return total;
}

/** Every 10 minutes on the process holding the workspace's retention lease. */
export function retentionJob(db: LeaseQueryable, everyMs = 10 * 60_000): OwnerJob {
  return {
    job: RETENTION_JOB,
    everyMs,
    run: async ({ workspace, holder, signal }) => {
      await applyPgRetention(db, workspace, holder, signal);
    },
  };
}

/**
 * `ingest.settings.set` with --database: stores the retention and applies it now when no collector holds
 * the workspace's retention lease (else that collector applies it at its next round, within 10 minutes).
 */
export async function setRetentionPg(
  store: PgStore,
  workspace: string,
  days: number | null,
): Promise<{ rawRetentionDays: number | null; pruned: number }> {
  await setSettingPg(store, workspace, RETENTION_KEY, days);
  const db = store.pool;
  const holder = holderId();
  if (!(await acquireLease(db, workspace, RETENTION_JOB, holder)).held)
    return { rawRetentionDays: days, pruned: 0 };
  try {
    return {
      rawRetentionDays: days,
      pruned: await applyPgRetention(db, workspace, holder, new AbortController().signal),
    };
  } finally {
    await releaseLease(db, workspace, RETENTION_JOB, holder);
  }
}
