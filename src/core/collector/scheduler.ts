import type { HostApi } from '../kernel/host-api';
import { listWorkspaces } from '../workspace/workspaces';

// Periodic collector sync while the app (src/main) or `insights serve` runs: every tick, each workspace
// with a collector whose interval has passed since its last attempt gets a `collector.sync` job. A
// failed attempt (offline) is recorded by the sync itself and simply retried after the next interval.

export interface CollectorScheduler {
  /** Run one round now (also what the timer does); resolves when its syncs have finished. */
  tick(): Promise<void>;
  stop(): void;
}

export interface SchedulerOptions {
  /** How often to look for due workspaces; default one minute. */
  tickMs?: number;
  now?: () => number;
  onError?: (workspace: string, err: unknown) => void;
  /** Run a round right away (default true); tests drive `tick()` themselves. */
  immediate?: boolean;
}

export function startCollectorScheduler(host: HostApi, options: SchedulerOptions = {}): CollectorScheduler {
  const now = options.now ?? Date.now;
  const running = new Set<string>();
  let stopped = false;

  const syncIfDue = async (workspace: string) => {
    if (running.has(workspace)) return;
    running.add(workspace);
    try {
      const s = await host.call('collector.status', workspace, {});
      if (!s.configured || stopped) return;
      const last = s.lastAttemptAt ? Date.parse(s.lastAttemptAt) : 0;
      if (now() - last < s.intervalMinutes * 60_000) return;
      await host.call('collector.sync', workspace, {});
    } catch (err) {
      // The sync stored its error for collector.status; the host may also be closing.
      options.onError?.(workspace, err);
    } finally {
      running.delete(workspace);
    }
  };

  const tick = async () => {
    if (stopped) return;
    const workspaces = listWorkspaces(host.dataDir).filter((w) => !w.isDemo);
    await Promise.all(workspaces.map((w) => syncIfDue(w.name)));
  };

  const timer = setInterval(() => void tick(), options.tickMs ?? 60_000);
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
