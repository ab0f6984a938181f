import type { ReportEvent, SourceRow } from '../../../shared/contract/report';
import type { Db } from '../../db/open';
import type { ReportContext } from './context';

// The source rows of the last few reports asked with `sourcesLimit`, per connection: the dashboard asks
// for the rest right after the first rows are on screen, and this lane (the same thread, the same
// connection) answers from here instead of counting the range again. What is kept builds the rows not
// built yet on its first call (sources.ts); the database has not changed since, or it is not used.

const KEEP = 4;
const byDb = new WeakMap<Db, Map<string, () => SourceRow[]>>();

/**
 * What the rows depend on: the database's content and the query as the context resolved it. SQLite's
 * data_version changes with any other connection's commit, total_changes() with this one's own
 * (https://www.sqlite.org/pragma.html#pragma_data_version, https://www.sqlite.org/lang_corefunc.html#total_changes).
 */
function keyOf(ctx: ReportContext, event: ReportEvent | null): string {
  const stamp = ctx.q('SELECT total_changes() AS n').get() as { n: number };
  const version = ctx.db.pragma('data_version', { simple: true }) as number;
  const r = ctx.range;
  return JSON.stringify([
    version,
    stamp.n,
    ctx.p,
    ctx.phones,
    r.from,
    r.to,
    r.timezone,
    ctx.summary,
    ctx.model,
    event?.id ?? null,
  ]);
}

export function rememberRows(ctx: ReportContext, event: ReportEvent | null, rows: () => SourceRow[]): void {
  const kept = byDb.get(ctx.db) ?? new Map<string, () => SourceRow[]>();
  byDb.set(ctx.db, kept);
  const key = keyOf(ctx, event);
  kept.delete(key);
  kept.set(key, rows);
  while (kept.size > KEEP) kept.delete(kept.keys().next().value!);
}

export function rememberedRows(
  ctx: ReportContext,
  event: ReportEvent | null,
): (() => SourceRow[]) | undefined {
  return byDb.get(ctx.db)?.get(keyOf(ctx, event));
}
