import type { CollectorSyncResult } from '../../shared/contract/collector';
import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import { eraseHashed } from '../ingest/erase';
import { storeExternalEvents } from '../ingest/external-events';
import { ingestPayloads, type PayloadInput } from '../ingest/ingest';
import { type OutgoingInput, storeOutgoingMessages } from '../ingest/outgoing';
import type { CoreContext } from '../kernel/context';
import { handOverSent } from './handover-client';
import { mirrorOutboxRows, toMirroredRow } from './outbox-mirror';
import { markAttempt, markResult, readState, tokenRefused, tokenSecretName, unreachable } from './state';
import { SYNC_PAGE_LIMIT, type SyncLine } from './wire';

// The desktop's side of collector sync: pull GET /v1/sync pages and commit them in batches. Each batch
// and the cursor that covers it are one transaction, so a sync cut off anywhere resumes after the last
// committed batch; ingestion's exactly-once storage makes an overlap harmless anyway. Erasures keep their
// place in the feed's order: a batch applies its erasures before its rows, and an erasure that follows
// rows starts a new batch, so rows stored on the collector before an erase never outlive it here.
// One module (~420 lines): reading a page, cutting it into batches and committing each with its cursor
// are one rule about what a cut-off sync leaves behind.

const BATCH_ITEMS = 500;
const BATCH_BYTES = 4 * 1024 * 1024;

interface Batch {
  /** Erased contacts (hashed ids), applied before the batch's rows. */
  erasures: string[];
  payloads: PayloadInput[];
  events: Record<string, unknown>[];
  outgoing: Record<string, unknown>[];
  /** Rows of the collector's conversions outbox (outbox-mirror.ts). */
  outbox: Record<string, unknown>[];
  bytes: number;
  cursor: string | null;
}

const emptyBatch = (): Batch => ({
  erasures: [],
  payloads: [],
  events: [],
  outgoing: [],
  outbox: [],
  bytes: 0,
  cursor: null,
});
const rowsIn = (b: Batch) => b.payloads.length + b.events.length + b.outgoing.length + b.outbox.length;

/** Syncs in flight in this thread, per data folder and workspace. */
const inFlight = new Map<string, Promise<CollectorSyncResult>>();

/**
 * "Sync now" while the periodic sync runs joins it instead of pulling the same pages twice (the job
 * lane runs async handlers side by side).
 */
export function pullFromCollector(ctx: CoreContext): Promise<CollectorSyncResult> {
  const key = `${ctx.dataDir}\0${ctx.workspace}`;
  const running = inFlight.get(key);
  if (running) return running;
  const run = pull(ctx).finally(() => inFlight.delete(key));
  inFlight.set(key, run);
  return run;
}

async function pull(ctx: CoreContext): Promise<CollectorSyncResult> {
  const db = ctx.db();
  const state = readState(db);
  if (!state) {
    throw new ApiError(
      'invalid_argument',
      'No collector is configured: insights collector configure --url … --token …',
    );
  }
  const token = await ctx.secrets.get(tokenSecretName(ctx.workspace));
  if (!token)
    throw new ApiError(
      'invalid_argument',
      'The collector read token is missing: configure the collector again',
    );
  markAttempt(db, Date.now());

  const run = newRun(ctx, state.cursor, saveDesktopCursor);
  try {
    // First: a collector that does not know what this desktop sent to Meta might send it again.
    run.totals.handedOver = await handOverSent(db, state.url, token, ctx.signal);
    await pullAll(run, async (cursor) =>
      ndjsonLines(await fetchPage(state.url, token, cursor, ctx.signal), ctx.signal),
    );
  } catch (err) {
    const shape = err as { name?: string; code?: string; message?: string };
    if (shape.name !== 'AbortError') {
      // "online" means the collector answered: a refused token is a problem to fix, not an outage.
      markResult(db, { ok: false, error: shape.message ?? String(err), online: shape.code === 'forbidden' });
    }
    throw err;
  }
  markResult(db, { ok: true, now: Date.now() });
  ctx.progress(1, syncSummary(run.totals));
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'all' });
  return run.totals;
}

/** The finished job's line in the jobs panel: what came in, and any contact erased here. */
function syncSummary(t: CollectorSyncResult): string {
  const n = (count: number, one: string, many: string) =>
    `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
  const parts = [n(t.payloads, 'new payload', 'new payloads')];
  if (t.events > 0) parts.push(n(t.events, 'event', 'events'));
  if (t.outgoing > 0) parts.push(n(t.outgoing, 'outgoing message', 'outgoing messages'));
  if (t.conversions) parts.push(n(t.conversions, 'conversion update', 'conversion updates'));
  if (t.handedOver)
    parts.push(n(t.handedOver, 'conversion sent here reported', 'conversions sent here reported'));
  if (t.erased > 0)
    parts.push(
      n(t.erased, 'contact erased (erased on the collector)', 'contacts erased (erased on the collector)'),
    );
  return parts.join(', ');
}

/** Stores a committed batch's cursor (and counts) in the batch's transaction. */
export type SaveCursor = (
  db: Db,
  batch: { cursor: string | null; payloads: unknown[]; events: unknown[]; outgoing: unknown[] },
) => void;

/** The desktop keeps its cursor in collector_state, with the running counts the status shows. */
const saveDesktopCursor: SaveCursor = (db, batch) => {
  db.prepare(
    `UPDATE collector_state SET cursor = ?, received_payloads = received_payloads + ?,
       received_events = received_events + ?, received_outgoing = received_outgoing + ? WHERE id = 1`,
  ).run(batch.cursor, batch.payloads.length, batch.events.length, batch.outgoing.length);
};

/** One feed line as parsed, with its size (batches are also bounded in bytes). */
export type FeedLine = { line: SyncLine; bytes: number };

interface Run {
  ctx: CoreContext;
  db: Db;
  cursor: string | null;
  saveCursor: SaveCursor;
  done: number;
  total: number;
  totals: CollectorSyncResult;
}

function newRun(ctx: CoreContext, cursor: string | null, saveCursor: SaveCursor): Run {
  return {
    ctx,
    db: ctx.db(),
    cursor,
    saveCursor,
    done: 0,
    total: 0,
    totals: {
      payloads: 0,
      duplicatePayloads: 0,
      events: 0,
      outgoing: 0,
      erased: 0,
      skipped: 0,
      conversions: 0,
    },
  };
}

/** Pulls page after page (`page` answers the lines after a cursor) until the feed has no more. */
async function pullAll(
  run: Run,
  page: (cursor: string | null) => Promise<AsyncIterable<FeedLine> | Iterable<FeedLine>>,
) {
  for (;;) {
    const more = await pullPage(run, await page(run.cursor));
    if (!more) break;
  }
}

/**
 * The same sync into this workspace from another feed of collector lines: the PostgreSQL sender's own
 * copy of a workspace (src/core/pg/conversions-owner.ts), with its cursor kept by `saveCursor`.
 */
export async function pullFeed(
  ctx: CoreContext,
  cursor: string | null,
  saveCursor: SaveCursor,
  page: (cursor: string | null) => Promise<AsyncIterable<FeedLine> | Iterable<FeedLine>>,
): Promise<CollectorSyncResult> {
  const run = newRun(ctx, cursor, saveCursor);
  await pullAll(run, page);
  return run.totals;
}

/**
 * Streams one GET /v1/sync response into batches. Whatever complete lines arrived are committed even
 * when the stream breaks or the job is cancelled; returns whether the collector has more.
 */
async function pullPage(run: Run, lines: AsyncIterable<FeedLine> | Iterable<FeedLine>): Promise<boolean> {
  const { ctx } = run;
  let batch = emptyBatch();
  let ended: { more: boolean } | null = null;
  const report = () =>
    ctx.progress(
      run.total > 0 ? Math.min(1, run.done / run.total) : null,
      `${run.done} of ${run.total} items`,
    );
  const commit = () => {
    const b = batch;
    batch = emptyBatch(); // taken first: a batch whose commit failed is not retried by `finally`
    if (!b.cursor) return;
    commitBatch(run.db, b, run.totals, run.saveCursor);
    run.cursor = b.cursor;
    run.done += b.erasures.length + rowsIn(b);
    report();
  };
  try {
    for await (const { line, bytes } of lines) {
      switch (line.type) {
        case 'header':
          run.total = run.done + line.remaining;
          report();
          continue;
        case 'payload': {
          const item: PayloadInput = { body: line.body, origin: 'sync', receivedAt: line.receivedAt };
          if (line.channel) item.channel = line.channel;
          batch.payloads.push(item);
          break;
        }
        case 'event':
          batch.events.push(line.event);
          break;
        case 'outgoing':
          batch.outgoing.push(line.outgoing);
          break;
        case 'outbox':
          batch.outbox.push(line.outbox);
          break;
        case 'erasure':
          // A sha256 in hex, as feed.ts writes it; anything else erases nothing.
          if (typeof line.contact !== 'string' || !/^[0-9a-f]{64}$/.test(line.contact)) {
            run.totals.skipped++;
            break;
          }
          if (rowsIn(batch) > 0) commit();
          batch.erasures.push(line.contact);
          break;
        case 'end':
          ended = { more: line.more };
          // The end line's cursor also covers rows skipped at the collector (bodies removed by retention).
          batch.cursor = line.cursor;
          continue;
        case 'error':
          throw new ApiError('unavailable', `The collector failed while streaming: ${line.message}`);
      }
      batch.cursor = line.cursor;
      batch.bytes += bytes;
      if (batch.erasures.length + rowsIn(batch) >= BATCH_ITEMS || batch.bytes >= BATCH_BYTES) {
        commit();
        await ctx.yield();
        if (ctx.signal.aborted) throw abortError();
      }
    }
  } finally {
    // Complete lines are good data whatever stopped the stream; keep them and their cursor.
    commit();
  }
  if (ctx.signal.aborted) throw abortError();
  if (!ended) {
    throw new ApiError('unavailable', 'The connection to the collector broke off; sync again to resume');
  }
  return ended.more;
}

async function fetchPage(
  base: string,
  token: string,
  cursor: string | null,
  signal: AbortSignal,
): Promise<Response> {
  const url = `${base}/v1/sync?limit=${SYNC_PAGE_LIMIT}${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/x-ndjson' },
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw abortError();
    throw unreachable(base, err);
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw tokenRefused(res.status);
  }
  if (res.status !== 200 || !res.body) {
    const text = (await res.text()).slice(0, 200);
    throw new ApiError('unavailable', `The collector answered HTTP ${res.status}: ${text}`);
  }
  return res;
}

/** NDJSON lines of a response body, parsed; a torn last line (cut connection) is dropped. */
async function* ndjsonLines(res: Response, signal: AbortSignal): AsyncGenerator<FeedLine> {
  const decoder = new TextDecoder();
  let buffered = '';
  const reader = res.body!.getReader();
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch {
      if (signal.aborted) throw abortError();
      // The connection broke: stop here; the caller sees no end line and commits what it has.
      return;
    }
    if (chunk.done) break;
    buffered += decoder.decode(chunk.value, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const text of lines) {
      if (text.trim() === '') continue;
      let line: SyncLine;
      try {
        line = JSON.parse(text) as SyncLine;
      } catch {
        line = { type: 'error', message: 'it sent a line that is not JSON' };
      }
      yield { line, bytes: text.length };
    }
  }
}

function commitBatch(db: Db, batch: Batch, totals: CollectorSyncResult, saveCursor: SaveCursor): void {
  db.transaction(() => {
    if (batch.erasures.length > 0) totals.erased += eraseHashed(db, batch.erasures).length;
    if (batch.payloads.length > 0) {
      const r = ingestPayloads(db, batch.payloads);
      totals.payloads += r.payloads;
      totals.duplicatePayloads += r.duplicatePayloads;
      totals.skipped += r.rejected.length;
    }
    const events = batch.events.flatMap(toStoredEvent);
    totals.skipped += batch.events.length - events.length;
    const storedEvents =
      events.length > 0 ? storeExternalEvents(db, events).filter((e) => !e.duplicate).length : 0;
    totals.events += storedEvents;
    const outgoing = batch.outgoing.flatMap(toOutgoing);
    totals.skipped += batch.outgoing.length - outgoing.length;
    if (outgoing.length > 0) {
      const r = storeOutgoingMessages(db, outgoing);
      totals.outgoing += r.inserted + r.updated;
    }
    const outbox = batch.outbox.flatMap((o) => toMirroredRow(o) ?? []);
    totals.skipped += batch.outbox.length - outbox.length;
    if (outbox.length > 0) totals.conversions = (totals.conversions ?? 0) + mirrorOutboxRows(db, outbox);
    saveCursor(db, batch);
  }).immediate();
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * An external event replicates verbatim: the same id (so previous_external_event_id links still
 * resolve) and the time the collector first stored it. Stored by the ingestion area's function, which
 * skips an id or event_id the desktop already has and derives in the same transaction.
 */
function toStoredEvent(e: Record<string, unknown>): Parameters<typeof storeExternalEvents>[1] {
  const id = text(e.id);
  const action = text(e.action);
  const contactId = text(e.contact_id);
  const receivedAt = num(e.received_at);
  if (!id || !action || !contactId || receivedAt === null) return [];
  return [
    {
      event: {
        action,
        contactId,
        ts: num(e.ts),
        revenueAmount: num(e.revenue_amount),
        revenueCurrency: text(e.revenue_currency),
        appId: text(e.app_id),
        previousExternalEventId: text(e.previous_external_event_id),
        eventId: text(e.event_id),
      },
      options: { origin: 'sync', clientId: text(e.client_id), receivedAt, id },
    },
  ];
}

const OUTGOING_ORIGINS = ['send-proxy', 'send-log', 'demo'] as const;

function toOutgoing(o: Record<string, unknown>): OutgoingInput[] {
  const id = text(o.id);
  if (!id) return [];
  let buttons: OutgoingInput['buttons'] = [];
  try {
    const parsed = JSON.parse(text(o.buttons) ?? '[]') as unknown;
    if (Array.isArray(parsed)) buttons = parsed as OutgoingInput['buttons'];
  } catch {
    // a malformed button list names nothing; the message itself still syncs
  }
  const origin = OUTGOING_ORIGINS.find((x) => x === o.origin) ?? 'send-proxy';
  return [
    {
      id,
      phoneNumberId: text(o.phone_number_id),
      contactId: text(o.contact_id),
      templateName: text(o.template_name),
      sentAt: num(o.sent_at),
      buttons,
      origin,
    },
  ];
}

function abortError(): Error {
  const err = new Error('Cancelled');
  err.name = 'AbortError';
  return err;
}
