import type { HostApi } from '../kernel/host-api';
import { listWorkspaces } from '../workspace/workspaces';

// Sending conversions to Meta while `insights serve` or the desktop app runs: about every minute, each
// workspace that has sending on and whose sender is this installation (not a collector it syncs from)
// and has work (due.ts) gets a `conversions.send` job. Meta refuses events older than 7 days
// (https://developers.facebook.com/docs/marketing-api/conversions-api/business-messaging/), so the
// installation that runs around the clock is the one that should send.

export interface ConversionsScheduler {
  /** Run one round now (also what the timer does); resolves when its sends have finished. */
  tick(): Promise<void>;
  stop(): void;
}

export interface ConversionsScheduleOptions {
  /** How often to look for work; default one minute. */
  everyMs?: number;
  now?: () => number;
  onError?: (workspace: string, err: unknown) => void;
  /** Run a round right away (default true): events queued while nothing ran go out soon after start. */
  immediate?: boolean;
}

/** After a failed send, wait 1, 2, 4 … minutes, at most this long: a failing job every minute would crowd the jobs panel. */
const MAX_BACKOFF_MS = 30 * 60_000;

export function startConversionsScheduler(
  host: HostApi,
  options: ConversionsScheduleOptions = {},
): ConversionsScheduler {
  const now = options.now ?? Date.now;
  const everyMs = options.everyMs ?? 60_000;
  const running = new Set<string>();
  const failures = new Map<string, { count: number; at: number }>();
  let stopped = false;

  const sendIfDue = async (workspace: string) => {
    if (running.has(workspace)) return;
    const failed = failures.get(workspace);
    if (failed && now() - failed.at < Math.min(everyMs * 2 ** (failed.count - 1), MAX_BACKOFF_MS)) return;
    running.add(workspace);
    try {
      // Sending on, this installation the sender (no collector), Meta connected, and something to do.
      const { due } = (await host.internal('conversions.due', workspace, {}, 'read')) as { due: boolean };
      if (!due || stopped) return;
      // "Send now" from the UI or the CLI in this process: one send per workspace at a time (send-lease.ts
      // also keeps other processes out).
      const jobs = await host.call('jobs.list', undefined, {});
      if (
        jobs.some((j) => j.kind === 'conversions-send' && j.workspace === workspace && j.state === 'running')
      )
        return;
      await host.call('conversions.send', workspace, {});
      failures.delete(workspace);
    } catch (err) {
      // The send recorded its error in the outbox for conversions.status; the host may also be closing.
      failures.set(workspace, { count: (failed?.count ?? 0) + 1, at: now() });
      options.onError?.(workspace, err);
    } finally {
      running.delete(workspace);
    }
  };

  const tick = async () => {
    if (stopped) return;
    const workspaces = listWorkspaces(host.dataDir).filter((w) => !w.isDemo);
    await Promise.all(workspaces.map((w) => sendIfDue(w.name)));
  };

  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  if (options.immediate ?? true) void tick();
  return {
    tick,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
