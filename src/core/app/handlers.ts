import { z } from 'zod';
import { WorkspaceName } from '../../shared/contract/define';
import { ApiError } from '../../shared/contract/errors';
import { OverviewQuery } from '../../shared/contract/overview';
import { buildDemo } from '../demo/demo-workspace';
import { removeScratch } from '../demo/template';
import type { Handler, InternalHandlers } from '../kernel/context';
import { listWorkspaces, workspaceExists } from '../workspace/workspaces';
import { workspaceOverview } from './overview';
import { listPhones } from './phones';

const workspacesList: Handler<'workspaces.list'> = (_args, ctx) => listWorkspaces(ctx.dataDir);

const workspacesCreate: Handler<'workspaces.create'> = ({ name }, ctx) => {
  if (workspaceExists(ctx.dataDir, name))
    throw new ApiError('conflict', `The workspace "${name}" already exists`, 'name');
  ctx.dbFor(name);
  const ws = listWorkspaces(ctx.dataDir).find((w) => w.name === name);
  if (!ws) throw new ApiError('internal', 'The workspace could not be created');
  return ws;
};

const phonesList: Handler<'phones.list'> = (_args, ctx) => {
  if (!workspaceExists(ctx.dataDir, ctx.workspace)) return [];
  return listPhones(ctx.db());
};

const demoBuild: Handler<'demo.build'> = (args, ctx) => buildDemo(ctx, { seed: args.seed ?? 42 });

/** After a demo build was stopped by terminating its worker (host.ts, RECOVERY): its scratch files go. */
export const appInternalHandlers: InternalHandlers = {
  'demo.recover': (_args, ctx) => ({ removed: removeScratch(ctx.dataDir) }),
  // One workspace's row of overview.get; the host runs one per workspace on its pool (host.ts, overview).
  'overview.workspace': (args, ctx) => workspaceOverview(ctx.db(), OverviewQuery.parse(args)),
  // The host's head start for the overview: open (and migrate) each workspace on this pool thread, and
  // read the rows of `compute` once for 30 days (the dashboard's default) and 12 months (whose longer
  // range reads other summaries), so their statements are prepared and their pages cached when the
  // overview opens; the host reads `compute` on this thread first.
  'overview.warm': (args, ctx) => {
    const { workspaces, compute } = z
      .object({ workspaces: z.array(WorkspaceName), compute: z.array(WorkspaceName) })
      .parse(args);
    for (const ws of workspaces) {
      if (!workspaceExists(ctx.dataDir, ws)) continue;
      try {
        const db = ctx.dbFor(ws);
        if (compute.includes(ws))
          for (const preset of ['30d', '12m'] as const) workspaceOverview(db, { range: { preset } });
      } catch {
        // A workspace that cannot be read says so in the overview itself; warm the others.
      }
    }
    return { ok: true };
  },
};

export const appHandlers = {
  'workspaces.list': workspacesList,
  'workspaces.create': workspacesCreate,
  'phones.list': phonesList,
  'demo.build': demoBuild,
};
