import { randomUUID } from 'node:crypto';
import type { CoreEvent, JobInfo } from '../../shared/contract';
import type { ApiErrorShape } from '../../shared/contract/define';

// The host's job list: what jobs.list answers, each change sent out as a 'job' event (progress at most
// every 100 ms). A job keeps the id of the call that runs it, for jobs.cancel.

export type RunningJob = JobInfo & { callId: number; lastEmit: number };

export class JobBook {
  private readonly jobs = new Map<string, RunningJob>();

  constructor(private readonly emit: (event: CoreEvent) => void) {}

  get(id: string): RunningJob | undefined {
    return this.jobs.get(id);
  }

  /** Newest first. */
  list(): JobInfo[] {
    return [...this.jobs.values()].map(publicJob).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  start(callId: number, kind: JobInfo['kind'], workspace: string): string {
    const id = randomUUID();
    const job = {
      id,
      kind,
      workspace,
      state: 'running' as const,
      progress: null,
      detail: null,
      error: null,
      startedAt: new Date().toISOString(),
      endedAt: null,
      callId,
      lastEmit: 0,
    };
    this.jobs.set(id, job);
    this.emit({ type: 'job', job: publicJob(job) });
    return id;
  }

  progress(jobId: string, fraction: number | null, detail?: string): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    job.progress = fraction === null ? null : Math.max(0, Math.min(1, fraction));
    job.detail = detail ?? job.detail;
    const now = Date.now();
    if (now - job.lastEmit >= 100) {
      job.lastEmit = now;
      this.emit({ type: 'job', job: publicJob(job) });
    }
  }

  end(jobId: string, ok: boolean, err: ApiErrorShape | null): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    job.state = ok ? 'done' : err?.code === 'cancelled' ? 'cancelled' : 'failed';
    if (ok) job.progress = 1;
    job.error = err && err.code !== 'cancelled' ? err.message : null;
    job.endedAt = new Date().toISOString();
    this.emit({ type: 'job', job: publicJob(job) });
    // Keep the list short: the 50 most recent finished jobs.
    const finished = [...this.jobs.values()].filter((j) => j.state !== 'running');
    for (const old of finished.slice(0, Math.max(0, finished.length - 50))) this.jobs.delete(old.id);
  }
}

function publicJob(job: JobInfo & { callId?: number; lastEmit?: number }): JobInfo {
  const { callId: _c, lastEmit: _l, ...rest } = job;
  return rest;
}
