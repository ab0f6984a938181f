import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { openDatabase } from '../db/open';
import type { CoreContext } from '../kernel/context';
import { DEMO_WORKSPACE, workspaceDbPath, workspaceDir } from '../workspace/workspaces';
import type { DemoSteps } from './build-demo';
import { cancelled, ensureTemplate, redate, removeDatabaseFiles, scratchPath } from './template';

/**
 * (Re)builds the demo workspace: the template (built once through the real ingestion path) is copied,
 * re-dated to end now and its derived tables rebuilt, all in a private file; then one SQLite backup
 * replaces the demo workspace's content. Connections other lanes hold stay valid and see the new data
 * at once, and a cancelled build changes nothing (no demo workspace when there was none).
 */
export async function buildDemo(
  ctx: CoreContext,
  options: { seed: number; now?: DateTime; scale?: number },
): Promise<{ workspace: string; conversations: number; messages: number }> {
  const now = options.now ?? DateTime.now();
  const part = (from: number, to: number): DemoSteps => ({
    step: (fraction, detail) => {
      if (ctx.signal.aborted) throw cancelled();
      ctx.progress(from + (to - from) * fraction, detail);
    },
    yield: () => ctx.yield(),
  });
  const template = await ensureTemplate(
    ctx.dataDir,
    { seed: options.seed, now, ...(options.scale === undefined ? {} : { scale: options.scale }) },
    part(0, 0.8),
  );
  const work = scratchPath(ctx.dataDir, template, 'copy');
  fs.mkdirSync(path.dirname(work), { recursive: true });
  try {
    part(0.8, 1).step(0, 'Copying the demo data');
    fs.copyFileSync(template, work);
    const db = openDatabase(work);
    // A scratch file, deleted on any failure: no reason to wait for the disk on its commits.
    db.pragma('synchronous = OFF');
    try {
      const counts = await redate(db, now, part(0.8, 0.97));
      if (ctx.signal.aborted) throw cancelled();
      ctx.progress(0.97, 'Opening the demo workspace');
      fs.mkdirSync(workspaceDir(ctx.dataDir, DEMO_WORKSPACE), { recursive: true });
      // All pages in one step, so readers of the demo workspace see the old content or the new, never a mix.
      await db.backup(workspaceDbPath(ctx.dataDir, DEMO_WORKSPACE), { progress: () => 0x7fffffff });
      ctx.emit({ type: 'data-changed', workspace: DEMO_WORKSPACE, what: 'all' });
      ctx.progress(1, 'Demo ready');
      return { workspace: DEMO_WORKSPACE, ...counts };
    } finally {
      db.close();
    }
  } finally {
    removeDatabaseFiles(work);
  }
}
