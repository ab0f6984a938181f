import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type PreparedBatch, type PrepareJob, prepareBatches } from './prepare-batches';

// Imports run as a two-stage pipeline over the two cores: a worker thread reads, parses, validates,
// hashes and deflates (all pure), the SQLite writer only inserts and derives. Without the worker
// (a build without its bundle) the same batches are prepared inline.

type FromWorker = { t: 'batch'; batch: PreparedBatch } | { t: 'end' };

/**
 * The preparing thread's heap is kept small (peak RSS of an import is a target). A line too large
 * for it stops the thread with ERR_WORKER_OUT_OF_MEMORY, and the rest of the file is prepared inline.
 */
export const WORKER_HEAP_MB = 32;

/** The worker of this build: the TypeScript entry from sources, out/core/ingest-prepare.js when bundled. */
function startWorker(job: PrepareJob, heapMb: number): Worker | null {
  const options = {
    workerData: job,
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 2 },
  };
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // Sources (tests, tsx): worker threads do not inherit tsx's loader, so the worker registers it.
    const entry = JSON.stringify(new URL('./prepare-worker.ts', here).href);
    return new Worker(
      `import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); })`,
      { ...options, eval: true },
    );
  }
  // out/cli/index.js (CLI) and out/core/worker.js (lane workers) both sit beside out/core/.
  const built = new URL('../core/ingest-prepare.js', here);
  return fs.existsSync(fileURLToPath(built)) ? new Worker(built, options) : null;
}

/** Prepared batches of the file in order; each is acknowledged to the worker when the next is asked for. */
export async function* preparedBatches(
  job: PrepareJob,
  inWorker: boolean,
  heapMb = WORKER_HEAP_MB,
): AsyncGenerator<PreparedBatch> {
  const worker = inWorker ? startWorker(job, heapMb) : null;
  if (!worker) {
    yield* prepareBatches(job);
    return;
  }
  const queue: PreparedBatch[] = [];
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  worker.on('message', (m: FromWorker) => {
    if (m.t === 'batch') queue.push(m.batch);
    else ended = true;
    notify();
  });
  worker.on('error', (err) => {
    failure ??= err;
    notify();
  });
  worker.on('exit', (code) => {
    if (!ended) failure ??= new Error(`the import's preparing thread stopped (exit code ${code})`);
    notify();
  });
  let handedOut = job.afterLine ?? 0;
  try {
    for (;;) {
      const batch = queue.shift();
      if (batch) {
        handedOut = Math.max(handedOut, batch.lines);
        yield batch;
        worker.postMessage('ack');
      } else if (failure) break;
      else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    await worker.terminate();
  }
  if ((failure as { code?: string }).code !== 'ERR_WORKER_OUT_OF_MEMORY') throw failure;
  yield* prepareBatches({ ...job, afterLine: handedOut });
}
