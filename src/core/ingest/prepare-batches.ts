import { openText } from './import-detect';
import { importRows } from './import-rows';
import { type Prepared, preparePayload } from './prepare';

// An import file of webhook payloads as batches of prepared payloads (prepare.ts), with the lines
// that could not be read. Runs inline or on the preparing thread (prepare-worker.ts).

export interface PrepareJob {
  file: string;
  layout: 'ndjson' | 'array' | 'values';
  channel: string | null;
  /** Rows per batch. */
  batchRows: number;
  /** Rows and errors up to this line were handed out already (a restart after a lost worker). */
  afterLine?: number;
}

export interface PreparedBatch {
  /** Rows in file order, each prepared or with the reason it cannot be stored. */
  items: { line: number; prepared: Prepared }[];
  /** Lines that could not be read (malformed JSON, too deeply nested …). */
  errors: { line: number; reason: string }[];
  /** Line of the last row in the batch (0 when it has none). */
  lines: number;
  /** Bytes of the file read so far, for progress. */
  bytesRead: number;
}

const emptyBatch = (): PreparedBatch => ({ items: [], errors: [], lines: 0, bytesRead: 0 });

/** Batches of the file; the last one (possibly empty) carries the trailing errors. */
export async function* prepareBatches(job: PrepareJob): AsyncGenerator<PreparedBatch> {
  const { raw, text } = openText(job.file);
  let batch = emptyBatch();
  const after = job.afterLine ?? 0;
  const fail = (line: number, reason: string) => {
    if (line > after) batch.errors.push({ line, reason });
  };
  try {
    for await (const row of importRows({ kind: 'webhooks', layout: job.layout }, text, fail)) {
      if (row.line <= after) continue;
      const prepared = preparePayload({
        body: row.value,
        origin: 'import',
        ...(job.channel ? { channel: job.channel } : {}),
      });
      batch.items.push({ line: row.line, prepared });
      batch.lines = row.line;
      if (batch.items.length >= job.batchRows) {
        batch.bytesRead = raw.bytesRead;
        yield batch;
        batch = emptyBatch();
      }
    }
    batch.bytesRead = raw.bytesRead;
    yield batch;
  } finally {
    raw.destroy();
  }
}

/**
 * Readies a batch for postMessage: rows as JSON text (see PreparedPayload.rows), hashes and bodies
 * moved into one buffer to transfer (small buffers may be views of Node's shared pool, which
 * structured cloning would copy whole). Returns that buffer.
 */
export function forTransfer(batch: PreparedBatch): ArrayBuffer {
  let total = 0;
  for (const { prepared } of batch.items) {
    if (prepared.ok) total += prepared.payload.hash.length + prepared.payload.body.length;
  }
  const packed = new Uint8Array(total);
  let at = 0;
  for (const { prepared } of batch.items) {
    if (!prepared.ok) continue;
    const p = prepared.payload;
    p.rows = JSON.stringify(p.rows);
    packed.set(p.hash, at);
    p.hash = packed.subarray(at, at + p.hash.length);
    at += p.hash.length;
    packed.set(p.body, at);
    p.body = packed.subarray(at, at + p.body.length);
    at += p.body.length;
  }
  return packed.buffer;
}
