import { parentPort, workerData } from 'node:worker_threads';
import { forTransfer, type PrepareJob, prepareBatches } from './prepare-batches';

// The preparing thread of an import (prepare-pipeline.ts): reads and prepares batches ahead of the
// writer, at most MAX_AHEAD unacknowledged, so memory stays flat however large the file.

/**
 * Three writer transactions' worth (import-files.ts CHUNK, 500 rows = 2 batches of 250): this thread
 * goes on preparing while the writer commits, and the writer finds its next chunk ready. With fewer
 * batches ahead than a transaction holds, each waited for the other in turn (two ahead of 2,000-row
 * transactions: 5,100 messages/s on a million, six: 7,600). Six batches hold about 2 MB of prepared rows.
 */
const MAX_AHEAD = 6;
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
