import { parentPort, workerData } from 'node:worker_threads';
import { forTransfer, type PrepareJob, prepareBatches } from './prepare-batches';

// The preparing thread of an import (prepare-pipeline.ts): reads and prepares batches ahead of the
// writer, at most MAX_AHEAD unacknowledged, so memory stays flat however large the file.

/**
 * More than one writer transaction's worth (import-files.ts CHUNK, 2,000 rows = 8 batches of 250): the
 * writer takes rows in bursts, a chunk at a time, and with fewer batches ahead this thread would sit
 * idle while the writer commits, then the writer while this thread catches up. About 3 MB of prepared rows.
 */
const MAX_AHEAD = 10;
const port = parentPort;
if (!port) throw new Error('prepare-worker.ts must run as a worker thread');

let credits = MAX_AHEAD;
let wake: (() => void) | null = null;
port.on('message', () => {
  credits++;
  wake?.();
  wake = null;
});

for await (const batch of prepareBatches(workerData as PrepareJob)) {
  while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
  credits--;
  const bytes = forTransfer(batch);
  port.postMessage({ t: 'batch', batch }, [bytes]);
}
port.postMessage({ t: 'end' });
