import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../shared/contract/errors';
import type { ImportFileSummary, ImportSummary } from '../../shared/contract/ingest';
import { isPhoneNumberId, PHONE_NUMBER_ID_RULE } from '../../shared/contract/phone-number-id';
import type { Db } from '../db/open';
import type { CoreContext } from '../kernel/context';
import {
  type ExternalEventInput,
  parseEventTime,
  parseExternalEvent,
  type StoreEventOptions,
  storeExternalEvents,
} from './external-events';
import { detectImport, type ImportKind, openText } from './import-detect';
import { importRows, isStreamError, type Row } from './import-rows';
import { storePrepared } from './ingest';
import { phoneDigits } from './normalize';
import { type OutgoingInput, storeOutgoingMessages } from './outgoing';
import type { Prepared } from './prepare';
import type { PrepareJob } from './prepare-batches';
import { preparedBatches } from './prepare-pipeline';
import { applyRetention } from './retention';

// `insights import FILE…`: streams each file (constant memory whatever its size), commits every
// chunk of rows in one transaction, reports bad lines by number and goes on. Everything it stores is
// deduplicated (payload hash, message id, event_id, outgoing id), so an interrupted import is simply
// run again. Formats: docs/import-formats.md.

/**
 * Rows per transaction: up to 500, fewer when a commit holds the write lock longer than TARGET_MS, so
 * webhook acknowledgements on the write lane never wait long behind an import. Small enough that the
 * preparing thread, a few batches ahead (prepare-worker.ts), keeps working through a whole commit, and
 * that a transaction's dirty pages stay in the page cache. On a million messages (docs/ingestion.md)
 * 500 rows beat 1,000 and 2,000 in messages per second and per CPU-second, with a lower peak RSS.
 */
export const CHUNK = 500;
const MIN_CHUNK = 100;
const TARGET_MS = 250;
const MAX_ERRORS = 100;
/**
 * WAL pages between checkpoints while importing (SQLite's default is 1,000): pages that every chunk
 * touches again (summaries, the ends of indexes) are copied into the database file once per
 * checkpoint, so fewer checkpoints copy less. Committed chunks are in the WAL either way.
 */
const IMPORT_AUTOCHECKPOINT_PAGES = 10_000;
/**
 * Page cache while importing, in KiB (connections keep 64 MB): an import's inserts land all over
 * indexes far larger than either size, so the smaller cache costs little and keeps peak memory
 * (a target of the import, docs/ingestion.md) under 300 MB. On a million messages 24 MB ran as fast as
 * 32 MB (within this machine's noise) with a peak RSS about 11 MB lower; 16 MB was slower.
 */
const IMPORT_CACHE_KIB = 24 * 1024;

type Sink = (
  db: Db,
  rows: Row[],
  summary: ImportFileSummary,
  error: (line: number, reason: string) => void,
) => void;

/** Webhook files from this size on are prepared on a second thread (starting one costs ~0.1 s). */
const WORKER_MIN_BYTES = 4 * 1024 * 1024;
/** Rows per batch the preparing thread hands over. */
const PREPARED_BATCH = 250;

export async function importFiles(
  ctx: CoreContext,
  args: { files: string[]; channel?: string | undefined },
  opts: { workerMinBytes?: number } = {},
): Promise<ImportSummary> {
  const files = args.files.map((f) => path.resolve(f));
  const kinds: ImportKind[] = [];
  for (const f of files) kinds.push(await detectImport(f));
  const db = ctx.db();
  const autocheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`wal_autocheckpoint = ${IMPORT_AUTOCHECKPOINT_PAGES}`);
  db.pragma(`cache_size = ${-IMPORT_CACHE_KIB}`);
  try {
    return await importInto(ctx, db, files, kinds, args.channel, opts.workerMinBytes ?? WORKER_MIN_BYTES);
  } finally {
    db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
    db.pragma(`cache_size = ${cacheSize}`);
  }
}

async function importInto(
  ctx: CoreContext,
  db: Db,
  files: string[],
  kinds: ImportKind[],
  channel: string | undefined,
  workerMinBytes: number,
): Promise<ImportSummary> {
  const started = Date.now();
  const totalBytes = files.reduce((s, f) => s + fs.statSync(f).size, 0) || 1;
  const out: ImportSummary = { files: [], errors: [], seconds: 0 };
  let doneBytes = 0;
  let chunkSize = CHUNK;
  for (const [i, file] of files.entries()) {
    const kind = kinds[i]!;
    const name = path.basename(file);
    const summary: ImportFileSummary = {
      file,
      kind: kind.kind,
      lines: 0,
      payloads: 0,
      duplicatePayloads: 0,
      messages: 0,
      statuses: 0,
      events: 0,
      duplicateEvents: 0,
      outgoing: 0,
      bad: 0,
    };
    out.files.push(summary);
    const error = (line: number, reason: string) => {
      summary.bad++;
      if (out.errors.length < MAX_ERRORS) out.errors.push({ file, line, reason });
    };
    const sink = sinkFor(kind, channel);
    const { source, bytesRead } =
      kind.kind === 'webhooks'
        ? preparedRows(
            { file, layout: kind.layout, channel: channel ?? null, batchRows: PREPARED_BATCH },
            fs.statSync(file).size >= workerMinBytes,
            error,
          )
        : rawRows(file, kind, error);
    let chunk: Row[] = [];
    const commit = async () => {
      if (chunk.length > 0) {
        const t = performance.now();
        sink(db, chunk, summary, error);
        const ms = performance.now() - t;
        if (ms > TARGET_MS) chunkSize = Math.max(MIN_CHUNK, Math.floor(chunkSize / 2));
        else if (ms < TARGET_MS / 3) chunkSize = Math.min(CHUNK, chunkSize * 2);
      }
      chunk = [];
      ctx.progress(
        (doneBytes + bytesRead()) / totalBytes,
        `${name}: ${summary.lines.toLocaleString('en')} lines`,
      );
      await ctx.yield();
      if (ctx.signal.aborted) {
        // Leaving the loop closes the file (and stops the preparing thread).
        throw new ApiError(
          'cancelled',
          'Import cancelled; run it again to continue (nothing is stored twice)',
        );
      }
    };
    try {
      for await (const row of source) {
        summary.lines = Math.max(summary.lines, row.line);
        chunk.push(row);
        if (chunk.length >= chunkSize) await commit();
      }
    } catch (err) {
      if (!isStreamError(err)) throw err;
      // A truncated or damaged file (a .gz cut short): what was read before stays, the file is reported.
      await commit();
      error(summary.lines + 1, endedEarly(name, summary, err));
    }
    await commit();
    doneBytes += fs.statSync(file).size;
  }
  applyRetention(db);
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'all' });
  out.seconds = (Date.now() - started) / 1000;
  return out;
}

/** "x.ndjson.gz ends early …": which file, how much of it is stored, and that a re-run continues. */
function endedEarly(name: string, f: ImportFileSummary, err: unknown): string {
  const stored =
    f.kind === 'webhooks'
      ? `${f.messages.toLocaleString('en')} messages and ${f.statuses.toLocaleString('en')} statuses`
      : f.kind === 'external-events'
        ? `${f.events.toLocaleString('en')} events`
        : `${f.outgoing.toLocaleString('en')} outgoing messages`;
  return (
    `${name} ends early or is damaged after line ${f.lines.toLocaleString('en')} ` +
    `(${err instanceof Error ? err.message : String(err)}): ${stored} before it were imported and are kept. ` +
    'Fix or fetch the file again and run the import again: it continues, nothing is stored twice.'
  );
}

interface RowSource {
  source: AsyncIterable<Row>;
  /** Bytes of the file read so far. */
  bytesRead(): number;
}

/** Webhook payloads, prepared (on a second thread when `inWorker`): each row's value is a Prepared. */
function preparedRows(
  job: PrepareJob,
  inWorker: boolean,
  error: (line: number, reason: string) => void,
): RowSource {
  let read = 0;
  async function* source(): AsyncGenerator<Row> {
    for await (const batch of preparedBatches(job, inWorker)) {
      for (const e of batch.errors) error(e.line, e.reason);
      read = batch.bytesRead;
      for (const item of batch.items) yield { line: item.line, value: item.prepared };
    }
  }
  return { source: source(), bytesRead: () => read };
}

/** CSV or NDJSON records, as read. */
function rawRows(file: string, kind: ImportKind, error: (line: number, reason: string) => void): RowSource {
  const { raw, text } = openText(file);
  async function* source(): AsyncGenerator<Row> {
    try {
      yield* importRows(kind, text, error);
    } finally {
      raw.destroy();
    }
  }
  return { source: source(), bytesRead: () => raw.bytesRead };
}

function sinkFor(kind: ImportKind, channel: string | undefined): Sink {
  if (kind.kind === 'webhooks') {
    return (db, rows, summary, error) => {
      const res = storePrepared(
        db,
        rows.map((r) => r.value as Prepared),
      );
      summary.payloads += res.payloads;
      summary.duplicatePayloads += res.duplicatePayloads;
      summary.messages += res.messages;
      summary.statuses += res.statuses;
      for (const r of res.rejected) error(rows[r.index]!.line, r.reason);
      for (const r of res.partial) error(rows[r.index]!.line, `the rest stored; not stored: ${r.reason}`);
    };
  }
  if (kind.kind === 'external-events') {
    return (db, rows, summary, error) => {
      const batch: { event: ExternalEventInput; options: StoreEventOptions }[] = [];
      for (const r of rows) {
        try {
          batch.push({ event: eventFromRow(r.value), options: { origin: 'import' } });
        } catch (err) {
          error(r.line, err instanceof Error ? err.message : String(err));
        }
      }
      for (const s of storeExternalEvents(db, batch)) {
        if (s.duplicate) summary.duplicateEvents++;
        else summary.events++;
      }
    };
  }
  return (db, rows, summary, error) => {
    const batch: OutgoingInput[] = [];
    for (const r of rows) {
      try {
        batch.push(outgoingFromRow(r.value, channel));
      } catch (err) {
        error(r.line, err instanceof Error ? err.message : String(err));
      }
    }
    const res = storeOutgoingMessages(db, batch);
    summary.outgoing += res.inserted + res.updated;
  };
}

const cell = (v: unknown): string | undefined =>
  v === undefined || v === null || v === '' ? undefined : String(v);

/** A CSV row (or NDJSON object) of external events → 360dialog's external_event shape → validated. */
export function eventFromRow(value: unknown): ExternalEventInput {
  if (!value || typeof value !== 'object') throw new ApiError('invalid_argument', 'expected an object');
  const r = value as Record<string, unknown>;
  const nested =
    r.revenue && typeof r.revenue === 'object' ? (r.revenue as Record<string, unknown>) : undefined;
  const amount = cell(r.revenue_amount) ?? nested?.amount;
  const currency = cell(r.revenue_currency) ?? nested?.currency;
  const event = parseExternalEvent(
    {
      action: r.action,
      lead_phone: r.lead_phone,
      timestamp: cell(r.timestamp),
      revenue: amount !== undefined || currency !== undefined ? { amount, currency } : undefined,
      app_id: cell(r.app_id),
      event_id: cell(r.event_id),
      previous_external_event_id: cell(r.previous_external_event_id),
    },
    'row',
  );
  // Without an event_id, the row's content is its identity: importing the file again stores nothing new.
  event.eventId ??= `import:${createHash('sha256')
    .update(
      JSON.stringify([
        event.contactId,
        event.action,
        event.ts,
        event.revenueAmount,
        event.revenueCurrency,
        event.appId,
        event.previousExternalEventId,
      ]),
    )
    .digest('hex')
    .slice(0, 32)}`;
  return event;
}

/** Buttons of a send log: a JSON array of {title, id}, or `title|id` pairs separated by `;`. */
export function parseButtons(v: unknown): { title: string; id: string | null }[] {
  if (v === undefined || v === null || v === '') return [];
  let list: unknown = v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s.startsWith('[')) {
      try {
        list = JSON.parse(s);
      } catch {
        throw new ApiError('invalid_argument', 'buttons: malformed JSON array', 'buttons');
      }
    } else {
      list = s
        .split(';')
        .map((b) => b.trim())
        .filter((b) => b.length > 0)
        .map((b) => {
          const bar = b.lastIndexOf('|');
          return bar < 0
            ? { title: b, id: null }
            : { title: b.slice(0, bar).trim(), id: b.slice(bar + 1).trim() || null };
        });
    }
  }
  if (!Array.isArray(list)) throw new ApiError('invalid_argument', 'buttons: expected a list', 'buttons');
  return list.map((b) => {
    if (typeof b === 'string') return { title: b, id: null };
    const o = (b ?? {}) as Record<string, unknown>;
    const title = cell(o.title);
    if (!title) throw new ApiError('invalid_argument', 'buttons: a button without a title', 'buttons');
    return { title, id: cell(o.id) ?? null };
  });
}

export function outgoingFromRow(value: unknown, channel: string | undefined): OutgoingInput {
  if (!value || typeof value !== 'object') throw new ApiError('invalid_argument', 'expected an object');
  const r = value as Record<string, unknown>;
  const id = cell(r.message_id);
  if (!id) throw new ApiError('invalid_argument', 'message_id: missing', 'message_id');
  const to = cell(r.to);
  const contactId = to ? phoneDigits(to) : null;
  if (to && !contactId) throw new ApiError('invalid_argument', `to: "${to}" is not a phone number`, 'to');
  const phoneNumberId = cell(r.phone_number_id) ?? channel ?? null;
  if (phoneNumberId !== null && !isPhoneNumberId(phoneNumberId))
    throw new ApiError('invalid_argument', `phone_number_id: ${PHONE_NUMBER_ID_RULE}`, 'phone_number_id');
  return {
    id,
    phoneNumberId,
    contactId,
    templateName: cell(r.template_name) ?? null,
    sentAt: parseEventTime(cell(r.sent_at), 'sent_at'),
    buttons: parseButtons(r.buttons),
    origin: 'send-log',
  };
}
