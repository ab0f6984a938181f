import type { PhoneNumber } from '../../shared/contract/app';
import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import { buildDemo } from '../demo/demo-workspace';
import { removeScratch } from '../demo/template';
import type { Handler, InternalHandlers } from '../kernel/context';
import { isoOfUnix } from '../time/iso';
import { listWorkspaces, workspaceExists } from '../workspace/workspaces';

/** Business numbers seen in data or added as channels; a channel's name is the number's display name. */
export const listPhones = (db: Db): PhoneNumber[] =>
  (
    db
      .prepare(
        `SELECT id, display, name, f, l FROM (
           SELECT b.phone_number_id AS id, b.display_number AS display, COALESCE(c.name, b.name) AS name,
                  b.first_message_at AS f, b.last_message_at AS l
           FROM business_numbers b LEFT JOIN channels c ON c.phone_number_id = b.phone_number_id
           UNION ALL
           SELECT c.phone_number_id, NULL, c.name, NULL, NULL FROM channels c
           WHERE c.phone_number_id NOT IN (SELECT phone_number_id FROM business_numbers))
         ORDER BY COALESCE(name, display, id)`,
      )
      .all() as {
      id: string;
      display: string | null;
      name: string | null;
      f: number | null;
      l: number | null;
    }[]
  ).map((r) => ({
    id: r.id,
    display: r.display,
    name: r.name,
    firstMessageAt: isoOfUnix(r.f),
    lastMessageAt: isoOfUnix(r.l),
  }));

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
};

export const appHandlers = {
  'workspaces.list': workspacesList,
  'workspaces.create': workspacesCreate,
  'phones.list': phonesList,
  'demo.build': demoBuild,
};
