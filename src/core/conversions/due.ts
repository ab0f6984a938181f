import { activePrefix } from '../attribution/tables';
import { readState as readCollectorState } from '../collector/state';
import type { Db } from '../db/open';
import { getSetting } from '../db/settings';
import type { InternalHandlers } from '../kernel/context';
import { readCapiSettings } from './settings';

// Whether the send schedule (schedule.ts) has work in a workspace, answered on the read lane so an idle
// minute starts no job (the jobs panel keeps only the most recent ones). Planning happens inside a send
// (send.ts), so work is also: ad conversations whose leads changed since the last plan, or a rebuild
// since then — not only entries already pending.

export function sendIsDue(db: Db, nowMs: number): boolean {
  if (!readCapiSettings(db).enabled) return false;
  // A collector sends this workspace's conversions; this installation never does (docs/conversions-api.md).
  if (readCollectorState(db)) return false;
  // Meta answered 190: nothing goes out until Meta is connected again.
  const needsLogin = db.prepare('SELECT needs_login FROM meta_connection WHERE id = 1').pluck().get();
  if (needsLogin === 1) return false;
  const any = (sql: string, ...args: unknown[]) =>
    db
      .prepare(sql)
      .pluck()
      .get(...args) !== undefined;
  return (
    any('SELECT 1 FROM ad_lead_changes LIMIT 1') ||
    getSetting<string | null>(db, 'capi.plannedSet', null) !== activePrefix(db) ||
    any(
      `SELECT 1 FROM capi_outbox WHERE origin = 'local'
         AND (state = 'pending' OR (state = 'failed' AND coalesce(next_attempt_at, 0) <= ?)) LIMIT 1`,
      nowMs,
    )
  );
}

export const conversionsInternalHandlers: InternalHandlers = {
  'conversions.due': (_args, ctx) => ({ due: sendIsDue(ctx.db(), Date.now()) }),
};
