import {
  acquireLease,
  holderId,
  LEASE_TTL_MS,
  type LeaseQueryable,
  RENEW_EVERY_MS,
  releaseLease,
} from './lease';

// Runs each owner-only job of each workspace on this process only while it holds that (workspace,
// job)'s lease (src/core/pg/lease.ts). Any number of collector processes run this side by side; one of
// them does each piece of work, and another takes it over within the lease's expiry when it dies.

export interface OwnerJob {
  job: string;
  /** How often it runs while this process holds its lease (first right after taking it). */
  everyMs: number;
  /** `signal` aborts when the lease is lost or the process stops: stop at the next step. */
  run(ctx: { workspace: string; holder: string; signal: AbortSignal }): Promise<void>;
}

export type OwnerEvent =
  | { type: 'acquired' | 'lost' | 'released'; workspace: string; job: string }
  | { type: 'failed'; workspace?: string; job?: string; error: string };

export interface OwnerRunnerOptions {
  db: LeaseQueryable;
  jobs: OwnerJob[];
  /** The workspaces to run the jobs for (read at every round: a new one is picked up). */
  workspaces(): Promise<string[]>;
  holder?: string;
  ttlMs?: number;
  renewEveryMs?: number;
  onEvent?: (e: OwnerEvent) => void;
}

export interface OwnerRunner {
  holder: string;
  /** "workspace/job" of the leases this process holds now. */
  held(): string[];
  /** Stops the jobs, waits for them and gives the leases up so another process takes over at once. */
  stop(): Promise<void>;
}

interface Slot {
  workspace: string;
  job: OwnerJob;
  held: boolean;
  /** Local time just before the last successful renewal: the lease surely lasts until this + ttl. */
  renewedAt: number;
  /** The next run, while held and idle. */
  timer?: NodeJS.Timeout;
  running?: { abort: AbortController; done: Promise<void> };
}

/** Retry soon after a failed round (database unreachable), to renew or give up in time. */
const RETRY_MS = 1000;

export function startOwnerRunner(o: OwnerRunnerOptions): OwnerRunner {
  const holder = o.holder ?? holderId();
  const ttlMs = o.ttlMs ?? LEASE_TTL_MS;
  const renewEveryMs = o.renewEveryMs ?? RENEW_EVERY_MS;
  const emit = o.onEvent ?? (() => {});
  const slots = new Map<string, Slot>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();

  const lose = (s: Slot, type: 'lost' | 'released') => {
    if (!s.held) return;
    s.held = false;
    clearTimeout(s.timer);
    s.timer = undefined;
    s.running?.abort.abort();
    emit({ type, workspace: s.workspace, job: s.job.job });
  };

  const start = (s: Slot) => {
    const abort = new AbortController();
    const done = s.job
      .run({ workspace: s.workspace, holder, signal: abort.signal })
      .catch((err: unknown) =>
        emit({ type: 'failed', workspace: s.workspace, job: s.job.job, error: errorText(err) }),
      )
      .finally(() => {
        s.running = undefined;
        if (s.held && !stopped)
          s.timer = setTimeout(() => {
            s.timer = undefined;
            if (s.held && !stopped && !s.running) start(s);
          }, s.job.everyMs);
      });
    s.running = { abort, done };
  };

  const once = async (): Promise<number> => {
    let next = renewEveryMs;
    let failed = false;
    let workspaces: string[] = [];
    try {
      workspaces = await o.workspaces();
    } catch (err) {
      failed = true;
      emit({ type: 'failed', error: errorText(err) });
    }
    for (const workspace of workspaces)
      for (const job of o.jobs) {
        if (stopped) return next;
        const key = `${workspace}/${job.job}`;
        let s = slots.get(key);
        if (!s) {
          s = { workspace, job, held: false, renewedAt: 0 };
          slots.set(key, s);
        }
        const asked = Date.now();
        try {
          const state = await acquireLease(o.db, workspace, job.job, holder, ttlMs);
          if (state.held) {
            if (!s.held) {
              s.held = true;
              emit({ type: 'acquired', workspace, job: job.job });
            }
            s.renewedAt = asked;
          } else {
            lose(s, 'lost');
            // Ask again just after the holder's lease runs out: a dead holder is replaced at once.
            next = Math.min(next, state.remainingMs + 50);
          }
        } catch (err) {
          failed = true;
          emit({ type: 'failed', workspace, job: job.job, error: errorText(err) });
        }
      }
    const now = Date.now();
    for (const s of slots.values()) {
      // Not renewed in time (the database was unreachable): another process may hold it by now.
      if (s.held && now - s.renewedAt >= ttlMs - RETRY_MS) lose(s, 'lost');
      if (s.held && !s.running && !s.timer && !stopped) start(s);
    }
    return Math.max(50, failed ? Math.min(next, RETRY_MS) : next);
  };

  const loop = () => {
    round = once().then(
      (delay) => {
        if (!stopped) timer = setTimeout(loop, delay);
      },
      () => {
        if (!stopped) timer = setTimeout(loop, RETRY_MS);
      },
    );
  };
  loop();

  return {
    holder,
    held: () => [...slots.entries()].filter(([, s]) => s.held).map(([k]) => k),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
      const held = [...slots.values()].filter((s) => s.held);
      for (const s of held) {
        clearTimeout(s.timer);
        s.running?.abort.abort();
      }
      await Promise.all(held.map((s) => s.running?.done));
      for (const s of held) {
        await releaseLease(o.db, s.workspace, s.job.job, holder).catch(() => {});
        lose(s, 'released');
      }
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
