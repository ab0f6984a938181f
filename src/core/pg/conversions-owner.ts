import type { HostApi } from '../kernel/host-api';
import { workspaceExists } from '../workspace/workspaces';
import { CONVERSIONS_JOB, type RoundArgs, type RoundResult, stopFlag } from './conversions-round';
import type { LeaseQueryable } from './lease';
import type { OwnerJob } from './owner-work';
import { pgWorkspaces } from './workspaces';

// Conversions to Meta on a PostgreSQL collector (docs/collector.md, "Conversions to Meta with PostgreSQL"):
// an owner-only job (owner-work.ts) whose round runs on this process's lane worker
// (conversions-round.ts), where the workspace's SQLite copy lives. Only processes that can send take part
// in the election: those whose data folder has the workspace with conversions turned on and Meta
// connected (set up there with `insights --data-dir … conversions …` and `meta connect`, the token in
// this process's secret store); a process that could not send never holds the lease.

/** The workspaces this process can send for: served by PostgreSQL, turned on and connected to Meta here. */
export async function sendingWorkspaces(host: HostApi, db: LeaseQueryable): Promise<string[]> {
  const served = (await pgWorkspaces(db)).filter((w) => workspaceExists(host.dataDir, w));
  const on = await Promise.all(
    served.map(async (w) => {
      const r = (await host.internal('conversions.pgEnabled', w, {}, 'read')) as { enabled: boolean };
      return r.enabled;
    }),
  );
  return served.filter((_, i) => on[i]);
}

/** Every `everyMs` (serve --send-every) on the process holding the workspace's `conversions` lease. */
export function conversionsJob(
  host: HostApi,
  databaseUrl: string,
  everyMs: number,
  onRound?: (workspace: string, r: RoundResult) => void,
): OwnerJob {
  return {
    job: CONVERSIONS_JOB,
    everyMs,
    run: async ({ workspace, holder, signal }) => {
      // The lease lost or given up: the round starts no further request to Meta.
      const stop = stopFlag();
      const onAbort = () => Atomics.store(stop, 0, 1);
      signal.addEventListener('abort', onAbort);
      try {
        const args: RoundArgs = { databaseUrl, holder, stop };
        const r = (await host.internal('conversions.pgRound', workspace, args, 'job')) as RoundResult;
        onRound?.(workspace, r);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}
