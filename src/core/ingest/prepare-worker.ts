import { parentPort, workerData } from 'node:worker_threads';
import { forTransfer, type PrepareJob, prepareBatches } from './prepare-batches';

// The preparing thread of an import (prepare-pipeline.ts): reads and prepares batches ahead of the
// writer, at most MAX_AHEAD unacknowledged, so memory stays flat however large the file.

/**
 * Enough to go on preparing through most of a writer transaction (import-files.ts CHUNK, up to 2,000
 * rows = 8 batches of 250): the writer takes rows a chunk at a time, and with two batches ahead this
 * thread sat idle while the writer committed, then the writer while this thread caught up. Measured on
 * a million messages: 2 ahead 5,100 messages/s, 6 ahead 7,600, 10 ahead 7,200–7,300 with a higher
 * peak RSS. Six batches hold about 2 MB of prepared rows.
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
