import { DateTime } from 'luxon';
import type { Db } from '../db/open';
import { setSetting } from '../db/settings';
import type { CoreContext } from '../host/context';
import { ingestPayloads } from '../ingest/ingest';
import { DEMO_WORKSPACE } from '../workspace/workspaces';
import { DEMO_CURRENCY, DEMO_TIMEZONE, type DemoData, generateDemo } from './generate';

const CHUNK = 400;

/**
 * Rebuilds the demo workspace through the real ingestion path: webhook payloads go through
 * ingestPayloads exactly as deliveries do. The workspace is emptied in place rather than deleted, so
 * connections other lanes hold stay valid and see the new data at once.
 */
export async function buildDemo(
  ctx: CoreContext,
  seed: number,
  now: DateTime = DateTime.now(),
): Promise<{ workspace: string; conversations: number; messages: number }> {
  ctx.progress(0, 'Generating a year of demo conversations');
  await ctx.yield();
  const data = generateDemo({ seed, now });
  const db = ctx.dbFor(DEMO_WORKSPACE);
  emptyWorkspace(db);
  db.transaction(() => {
    setSetting(db, 'timezone', DEMO_TIMEZONE);
    setSetting(db, 'currency', DEMO_CURRENCY);
    setSetting(db, 'isDemo', true);
  })();

  await feedPayloads(ctx, db, data);
  ctx.emit({ type: 'data-changed', workspace: DEMO_WORKSPACE, what: 'all' });
  ctx.progress(1, 'Demo ready');
  return { workspace: DEMO_WORKSPACE, conversations: data.conversations, messages: data.messages };
}

async function feedPayloads(ctx: CoreContext, db: Db, data: DemoData): Promise<void> {
  const total = data.payloads.length;
  for (let i = 0; i < total; i += CHUNK) {
    if (ctx.signal.aborted) throw Object.assign(new Error('Cancelled'), { name: 'AbortError' });
    const chunk = data.payloads.slice(i, i + CHUNK).map((body) => ({ body, origin: 'demo' as const }));
    ingestPayloads(db, chunk);
    ctx.progress(
      0.05 + 0.8 * ((i + chunk.length) / total),
      `Ingesting webhook deliveries ${i + chunk.length} / ${total}`,
    );
    await ctx.yield();
  }
}

/** Deletes every row of every table but the migration record, in one transaction. */
function emptyWorkspace(db: Db): void {
  const tables = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'",
    )
    .all() as { name: string }[];
  db.transaction(() => {
    db.pragma('defer_foreign_keys = ON');
    for (const { name } of tables) db.exec(`DELETE FROM "${name.replaceAll('"', '""')}"`);
  })();
}
