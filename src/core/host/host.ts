import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  type AppInfo,
  type CoreEvent,
  contract,
  isMethodName,
  type JobInfo,
  type Lane,
  type MethodName,
  type MethodSpec,
  type ResultOf,
} from '../../shared/contract';
import type { ApiErrorShape } from '../../shared/contract/define';
import { ApiError, toErrorShape } from '../../shared/contract/errors';
import { issueMessage } from '../../shared/contract/issues';
import type { OverviewQuery, OverviewRow, WorkspaceOverview } from '../../shared/contract/overview';
import type { Handlers, InternalHandlers } from '../kernel/context';
import type { HostApi } from '../kernel/host-api';
import { prechecks } from '../prechecks';
import type { PrefsStore } from '../prefs/prefs-store';
import type { SecretStore } from '../secrets/secret-store';
import { DEFAULT_WORKSPACE, listWorkspaces, workspaceDbPath } from '../workspace/workspaces';
import { checkResult } from './check-result';
import { Dispatcher } from './dispatcher';
import { JobBook } from './jobs';
import type { FromWorker, ToWorker, WorkerInit } from './protocol';
import { encodeJson } from './wire';

// One module (~490 lines) on purpose: calls, lane workers, job cancels and close() all read and settle the
// same table of pending calls, each call exactly once; split apart, that table and its rules would be
// shared between modules. The job list is in jobs.ts, a lane's side in lane-worker.ts and dispatcher.ts.

export interface CoreHostOptions {
  dataDir: string;
  mode: AppInfo['mode'];
  version: string;
  secrets: SecretStore;
  prefs: PrefsStore;
  /** 'worker': one worker thread per lane (app, serve). 'inline': run in this thread (CLI, tests). */
  runner:
    | { kind: 'worker'; file: string; argv?: string[] }
    | { kind: 'inline'; handlers: Handlers; internal: InternalHandlers };
  nativeBinding?: string;
  /**
   * Parse every contract result with its schema and fail the call on a mismatch (development builds and
   * tests; production skips it for speed). Default: the environment variable INSIGHTS_CHECK_RESULTS=1.
   */
  checkResults?: boolean;
}

/** A settled call: its value (or, asked for the wire, its UTF-8 JSON) and the handler's own time. */
interface Answer {
  value: unknown;
  json?: Uint8Array | undefined;
  handlerMs: number;
}

/** What HTTP and IPC send on: the result as UTF-8 JSON. */
export interface JsonAnswer {
  json: Uint8Array;
  /** The handler's own time in its lane, without validation, queueing or serialisation. */
  handlerMs: number;
}

interface Pending {
  resolve: (v: Answer) => void;
  reject: (e: unknown) => void;
  jobId?: string;
}

/**
 * How long close() lets running calls finish or stop by themselves (jobs are cancelled and stop at their
 * next chunk, each of which commits whole) before it terminates the workers; a transaction cut short
 * by the termination is never committed (SQLite rolls it back).
 */
export const CLOSE_GRACE_MS = 2000;

/**
 * Longest a process (`insights serve`, the desktop app) takes to stop on SIGTERM/SIGINT: past it, it
 * exits anyway; a transaction cut short by that is rolled back, never half-committed.
 */
export const SHUTDOWN_DEADLINE_MS = 4500;

/**
 * A cancelled job stops by itself at its next chunk; one still running this long after the cancel (a
 * step that cannot be split, such as building an index) is stopped by terminating its lane's worker.
 * SQLite rolls back the transaction it was in; the next call on the lane starts a fresh worker.
 */
export const CANCEL_FORCE_MS = 1500;

/**
 * What to tidy after a job of this kind was stopped by terminating its worker: an internal handler run
 * on the fresh worker with `{ stoppedThreads }` (the terminated workers' thread ids).
 */
const RECOVERY: Partial<Record<JobInfo['kind'], string>> = {
  rebuild: 'rebuild.recover',
  demo: 'demo.recover',
};

/** Lanes that run in worker threads; jobs get their own so imports never hold up reports or webhooks. */
// 'pool-N': the overview's pool, which reads workspaces side by side (see overview()).
type WorkerLane = 'read' | 'side' | 'write' | 'job' | `pool-${number}`;

/**
 * Worker threads that read workspaces side by side for overview.get: opening the overview takes about as
 * long as its slowest workspace, not the sum of all (bench:overview). More threads than cores gain nothing.
 */
export const OVERVIEW_POOL = Math.min(4, Math.max(2, os.availableParallelism()));

/**
 * The one entry into the core. Validates every call against the contract (the trust boundary for
 * IPC and HTTP alike), answers host-lane methods itself, runs the rest on lane workers, tracks jobs
 * and fans events out to listeners (IPC windows, SSE clients, the CLI's progress bar).
 */
export class CoreHost implements HostApi {
  private readonly workers = new Map<WorkerLane, Worker>();
  private readonly pending = new Map<number, Pending>();
  private readonly callLane = new Map<number, WorkerLane>();
  private readonly listeners = new Set<(e: CoreEvent) => void>();
  private readonly jobs = new JobBook((event) => this.emit(event));
  private inline?: Dispatcher;
  private inlineAborts = new Map<number, AbortController>();
  private nextId = 1;
  private closed = false;
  /** close() has answered what was left and stops the workers: no call runs any more. */
  private stopped = false;
  private closing?: Promise<void>;
  /** Called whenever a call settles (close() waits for the running ones). */
  private readonly settleWaiters = new Set<() => void>();
  /** Thread ids of lane workers this host terminated to stop a job. */
  private readonly stoppedThreads: number[] = [];

  private readonly checkResults: boolean;

  constructor(private readonly options: CoreHostOptions) {
    this.checkResults = options.checkResults ?? process.env.INSIGHTS_CHECK_RESULTS === '1';
    if (options.runner.kind === 'inline') {
      this.inline = new Dispatcher({
        dataDir: options.dataDir,
        secrets: options.secrets,
        handlers: options.runner.handlers,
        internal: options.runner.internal,
        ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      });
    }
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  onEvent(listener: (e: CoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: CoreEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a broken listener (closed window) must not stop the others
      }
    }
  }

  /** A contract call from any caller. `args` is untrusted until parsed here. */
  async call<M extends MethodName>(
    method: M | string,
    workspace: string | undefined,
    args: unknown,
  ): Promise<ResultOf<M>> {
    return (await this.invoke(method, workspace, args)).value as ResultOf<M>;
  }

  /**
   * The same call for the transports (HTTP, IPC): the result as UTF-8 JSON, serialised in the lane's worker
   * and its buffer transferred (not copied or cloned) to this thread, which only wraps it in the envelope.
   */
  async callJson(method: string, workspace: string | undefined, args: unknown): Promise<JsonAnswer> {
    const a = await this.invoke(method, workspace, args, true);
    return { json: a.json ?? encodeJson(a.value), handlerMs: a.handlerMs };
  }

  private async invoke(
    method: string,
    workspace: string | undefined,
    args: unknown,
    wire = false,
  ): Promise<Answer> {
    if (this.closed) throw new ApiError('unavailable', 'The app is shutting down');
    if (!isMethodName(method)) throw new ApiError('not_found', `Unknown method "${method}"`);
    const spec: MethodSpec = contract[method];
    const parsed = spec.args.safeParse(args ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || undefined;
      throw new ApiError('invalid_argument', issue ? issueMessage(issue) : 'The request is not valid', field);
    }
    const ws = workspace || DEFAULT_WORKSPACE;
    const lane: Lane = spec.lane;
    if (lane === 'host') {
      const started = performance.now();
      const value = await this.hostMethod(method, parsed.data);
      if (this.checkResults) checkResult(method, spec.result, value);
      return { value, handlerMs: performance.now() - started };
    }
    // Rejected input is the caller's error, not a job that failed: check what can be checked first.
    (prechecks[method] as ((a: unknown) => void) | undefined)?.(parsed.data);
    const jobKind = lane === 'job' ? (spec.jobKind ?? 'import') : undefined;
    const result = await this.dispatch(lane, method, ws, parsed.data, false, jobKind, wire);
    this.deriveUpToDate(ws);
    if (method === 'workspaces.list') this.warmOverviewPool();
    if (this.checkResults)
      checkResult(
        method,
        spec.result,
        result.json ? JSON.parse(new TextDecoder().decode(result.json)) : result.value,
      );
    return result;
  }

  private readonly derivationChecked = new Set<string>();

  /**
   * Once per workspace whose database exists, after its first call succeeded: a workspace derived with
   * other settings or an older version of the rules (DERIVATION_RULES) is rebuilt as a job, with progress;
   * reports read the previous result until it is done. The CLI (inline) leaves it to the app.
   */
  private deriveUpToDate(ws: string): void {
    if (this.inline || this.closed || this.derivationChecked.has(ws)) return;
    // Calls that name no workspace of their own (workspaces.list …) must not create the default one.
    if (!fs.existsSync(workspaceDbPath(this.options.dataDir, ws))) return;
    this.derivationChecked.add(ws);
    void (async () => {
      const s = (await this.dispatch('read', 'settings.get', ws, {}, false)).value as {
        rebuildPending: boolean;
      };
      if (s.rebuildPending && !this.closed)
        await this.dispatch('job', 'settings.applyDerivation', ws, {}, false, 'rebuild');
    })().catch(() => {
      // A failed rebuild shows in the job list; the next start asks again.
    });
  }

  /** Receivers' operations (trusted callers in this process; the handler validates the payload). */
  async internal(
    name: string,
    workspace: string,
    args: unknown,
    lane: WorkerLane = 'write',
  ): Promise<unknown> {
    return (await this.dispatch(lane, name, workspace, args, true)).value;
  }

  private async hostMethod(method: MethodName, args: unknown): Promise<unknown> {
    switch (method) {
      case 'app.info':
        return {
          version: this.options.version,
          mode: this.options.mode,
          dataDir: this.options.dataDir,
          defaultWorkspace: DEFAULT_WORKSPACE,
          secretBackend: this.options.secrets.backend,
          secretWarning: this.options.secrets.warning,
        } satisfies AppInfo;
      case 'prefs.get':
        return this.options.prefs.get();
      case 'prefs.set':
        return this.options.prefs.set(args as Parameters<PrefsStore['set']>[0]);
      case 'jobs.list':
        return this.jobs.list();
      case 'overview.get':
        return this.overview(args as OverviewQuery);
      case 'jobs.cancel': {
        const job = this.jobs.get((args as { id: string }).id);
        if (!job) throw new ApiError('not_found', 'No such job');
        if (job.state === 'running') this.cancelJob(job);
        return { ok: true };
      }
      default:
        throw new ApiError('internal', `${method} is not a host method`);
    }
  }

  private overviewWarmed = false;
  /** The pool thread that warmed each workspace: the overview reads it there first (its connection is warm). */
  private readonly overviewThreadOf = new Map<string, number>();

  /**
   * Once, when the app lists the workspaces of a data folder with at least two of its own (an agency's):
   * starts the overview's threads and reads each workspace there once in the background, so the first
   * overview does not wait for threads to start, databases to open and statements to be prepared.
   */
  private warmOverviewPool(): void {
    if (this.inline || this.closed || this.overviewWarmed) return;
    const names = listWorkspaces(this.options.dataDir)
      .filter((w) => !w.isDemo)
      .map((w) => w.name);
    if (names.length < 2) return;
    this.overviewWarmed = true;
    const threads = Math.min(OVERVIEW_POOL, names.length);
    for (const [j, name] of names.entries()) this.overviewThreadOf.set(name, j % threads);
    for (let i = 0; i < threads; i++) {
      const compute = names.filter((_, j) => j % threads === i);
      this.dispatch(
        `pool-${i}`,
        'overview.warm',
        DEFAULT_WORKSPACE,
        { workspaces: names, compute },
        true,
      ).catch(() => {
        // Only a head start: the overview opens what it needs itself.
      });
    }
  }

  /**
   * Every workspace's row of the overview, read on the pool: each thread reads the workspaces it warmed
   * (largest first, in name order as listed), then takes the last one still waiting in another thread's
   * queue, so the slowest workspace alone sets the time when there are more workspaces than threads and
   * a workspace is read on a connection whose statements are prepared and pages cached when possible.
   * A workspace that cannot be read gets its error instead of failing the whole overview.
   */
  private async overview(q: OverviewQuery): Promise<{ workspaces: OverviewRow[] }> {
    const list = listWorkspaces(this.options.dataDir);
    // The dashboard's remembered event of each number, unless the caller names them.
    const remembered = q.eventByPhone ?? this.options.prefs.get().eventByPhone;
    const args: OverviewQuery = remembered ? { ...q, eventByPhone: remembered } : q;
    const rows: OverviewRow[] = new Array(list.length);
    const threads = Math.min(OVERVIEW_POOL, list.length);
    const queues = Array.from({ length: threads }, () => [] as number[]);
    for (const [i, ws] of list.entries())
      queues[(this.overviewThreadOf.get(ws.name) ?? i) % threads]!.push(i);
    const take = (t: number): number | undefined =>
      queues[t]!.shift() ??
      queues.reduce<number[] | undefined>((a, q) => (q.length > (a?.length ?? 0) ? q : a), undefined)?.pop();
    await Promise.all(
      queues.map(async (_, t) => {
        const lane = `pool-${t}` as const;
        for (let i = take(t); i !== undefined; i = take(t)) {
          const ws = list[i]!;
          const row = { workspace: ws.name, isDemo: ws.isDemo };
          try {
            const overview = (await this.dispatch(lane, 'overview.workspace', ws.name, args, true)).value;
            rows[i] = { ...row, overview: overview as WorkspaceOverview, error: null };
          } catch (err) {
            rows[i] = { ...row, overview: null, error: toErrorShape(err).message };
          }
        }
      }),
    );
    return { workspaces: rows };
  }

  private dispatch(
    lane: WorkerLane,
    name: string,
    workspace: string,
    args: unknown,
    internal: boolean,
    jobKind?: JobInfo['kind'],
    wire = false,
  ): Promise<Answer> {
    // After close() has stopped the workers, a late call (a delivery whose body was still arriving) is
    // refused rather than starting a worker that the process exit would cut off mid-commit.
    if (this.stopped) return Promise.reject(new ApiError('unavailable', 'The app is shutting down'));
    const id = this.nextId++;
    let jobId: string | undefined;
    if (jobKind) jobId = this.jobs.start(id, jobKind, workspace);
    const promise = new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(jobId ? { jobId } : {}) });
    });
    if (this.inline) this.runInline(id, name, workspace, args, internal);
    else {
      this.callLane.set(id, lane);
      const msg: ToWorker = { t: 'call', id, name, workspace, args, internal, wire };
      this.worker(lane).postMessage(msg);
    }
    return promise;
  }

  private runInline(id: number, name: string, workspace: string, args: unknown, internal: boolean): void {
    const controller = new AbortController();
    this.inlineAborts.set(id, controller);
    // Deferred so that a synchronous handler still answers after the caller has its promise.
    setImmediate(() => {
      const started = performance.now();
      this.inline!.run(
        name,
        workspace,
        args,
        {
          signal: controller.signal,
          progress: (fraction, detail) => this.onProgress(id, fraction, detail),
          emit: (event) => this.emit(event),
        },
        internal,
      ).then(
        (value) => this.settle(id, true, { value, handlerMs: performance.now() - started }),
        (err) => this.settle(id, false, toErrorShape(err)),
      );
    });
  }

  private worker(lane: WorkerLane): Worker {
    let w = this.workers.get(lane);
    if (w) return w;
    const runner = this.options.runner;
    if (runner.kind !== 'worker') throw new Error('no worker runner');
    const init: WorkerInit = {
      dataDir: this.options.dataDir,
      lane,
      secretBackend: this.options.secrets.backend,
      secretWarning: this.options.secrets.warning,
      ...(this.options.nativeBinding ? { nativeBinding: this.options.nativeBinding } : {}),
    };
    w = new Worker(runner.file, { workerData: init, ...(runner.argv ? { argv: runner.argv } : {}) });
    w.on('message', (m: FromWorker) => this.onWorkerMessage(w!, m));
    w.on('error', (err) => this.failLane(lane, err));
    w.on('exit', (code) => {
      // A worker stopped on purpose (stopJob) has already been replaced and its calls answered.
      if (this.workers.get(lane) !== w) return;
      this.workers.delete(lane);
      if (!this.closed) this.failLane(lane, new Error(`The ${lane} worker stopped (exit code ${code})`));
    });
    this.workers.set(lane, w);
    return w;
  }

  private failLane(lane: WorkerLane, err: Error): void {
    for (const [id, l] of this.callLane) {
      if (l === lane) this.settle(id, false, toErrorShape(err));
    }
  }

  private onWorkerMessage(worker: Worker, m: FromWorker): void {
    switch (m.t) {
      case 'result':
        if (m.ok) this.settle(m.id, true, m);
        else this.settle(m.id, false, m.error);
        return;
      case 'progress':
        this.onProgress(m.id, m.fraction, m.detail);
        return;
      case 'event':
        this.emit(m.event);
        return;
      case 'secret': {
        const store = this.options.secrets;
        const op =
          m.op === 'get'
            ? store.get(m.name)
            : m.op === 'set'
              ? store.set(m.name, m.value ?? '')
              : store.delete(m.name);
        Promise.resolve(op).then(
          (value) =>
            worker.postMessage({
              t: 'secret-reply',
              reqId: m.reqId,
              ok: true,
              value: value ?? null,
            } satisfies ToWorker),
          (err: unknown) =>
            worker.postMessage({
              t: 'secret-reply',
              reqId: m.reqId,
              ok: false,
              error: String(err),
            } satisfies ToWorker),
        );
        return;
      }
    }
  }

  private settle(id: number, ok: true, answer: Answer): void;
  private settle(id: number, ok: false, error: ApiErrorShape): void;
  private settle(id: number, ok: boolean, outcome: Answer | ApiErrorShape): void {
    const p = this.pending.get(id);
    this.pending.delete(id);
    this.callLane.delete(id);
    this.inlineAborts.delete(id);
    if (!p) return;
    if (p.jobId) this.jobs.end(p.jobId, ok, ok ? null : (outcome as ApiErrorShape));
    if (ok) p.resolve(outcome as Answer);
    else p.reject(ApiError.from(outcome as ApiErrorShape));
    for (const w of this.settleWaiters) w();
  }

  /** Resolves once no call is running, or after `ms`. */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        if (this.pending.size > 0) return;
        clearTimeout(timer);
        this.settleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.settleWaiters.delete(done);
        resolve();
      }, ms);
      this.settleWaiters.add(done);
      done();
    });
  }

  private cancelJob(job: JobInfo & { callId: number }): void {
    this.cancelCall(job.callId);
    const lane = this.callLane.get(job.callId);
    if (!lane) return; // inline (CLI, tests): one thread, the handler stops at its next chunk
    setTimeout(() => {
      if (this.pending.has(job.callId) && !this.closed) this.stopJob(lane, job);
    }, CANCEL_FORCE_MS).unref();
  }

  /** Terminates the worker running a job that did not stop after its cancel (see CANCEL_FORCE_MS). */
  private stopJob(lane: WorkerLane, job: JobInfo & { callId: number }): void {
    const w = this.workers.get(lane);
    if (!w) return;
    this.workers.delete(lane);
    this.stoppedThreads.push(w.threadId);
    for (const [id, l] of this.callLane) {
      if (l !== lane) continue;
      this.settle(
        id,
        false,
        id === job.callId
          ? { code: 'cancelled', message: 'Cancelled' }
          : { code: 'unavailable', message: 'Stopped together with a job that was cancelled; run it again' },
      );
    }
    const recovery = RECOVERY[job.kind];
    void w.terminate().then(() => {
      if (!recovery || this.closed) return;
      this.internal(recovery, job.workspace, { stoppedThreads: [...this.stoppedThreads] }, lane).catch(
        (err: unknown) => process.stderr.write(`insights: ${recovery} failed: ${String(err)}\n`),
      );
    });
  }

  private cancelCall(id: number): void {
    this.inlineAborts.get(id)?.abort();
    const lane = this.callLane.get(id);
    if (lane) this.workers.get(lane)?.postMessage({ t: 'cancel', id } satisfies ToWorker);
  }

  private onProgress(callId: number, fraction: number | null, detail?: string): void {
    const jobId = this.pending.get(callId)?.jobId;
    if (jobId) this.jobs.progress(jobId, fraction, detail);
  }

  /**
   * Stops: refuses new calls, cancels the running ones and gives them `graceMs` to stop at a chunk
   * boundary (short calls such as a webhook's insert just finish), then answers what is left with
   * "shutting down" and terminates the workers.
   */
  close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      for (const id of this.pending.keys()) this.cancelCall(id);
      await this.idle(graceMs);
      for (const [id] of this.pending)
        this.settle(id, false, { code: 'unavailable', message: 'The app is shutting down' });
      this.stopped = true;
      await Promise.all([...this.workers.values()].map((w) => w.terminate()));
      this.workers.clear();
      // An inline handler still running past the grace fails at its next statement (between chunks).
      this.inline?.close();
    })();
    return this.closing;
  }
}
