import type { CollectorSyncResult } from '../../shared/contract/dialog360';
import { ApiError } from '../../shared/contract/errors';
import { deriveChanges } from '../attribution/derive';
import type { Db } from '../db/open';
import { upsertOutgoing } from '../dialog360/send-proxy';
import type { CoreContext } from '../host/context';
import { ingestPayloads, type PayloadInput } from '../ingest/ingest';
import { markAttempt, markResult, readState, tokenSecretName } from './state';
import { SYNC_PAGE_LIMIT, type SyncLine } from './wire';

// The desktop's side of collector sync: pull GET /v1/sync pages and commit them in batches. Each batch
// and the cursor that covers it are one transaction, so a sync cut off anywhere resumes after the last
// committed batch; ingestion's exactly-once storage makes an overlap harmless anyway.

const BATCH_ITEMS = 500;
const BATCH_BYTES = 4 * 1024 * 1024;

interface Batch {
  payloads: PayloadInput[];
  events: Record<string, unknown>[];
  outgoing: Record<string, unknown>[];
  bytes: number;
  cursor: string | null;
}

const emptyBatch = (): Batch => ({ payloads: [], events: [], outgoing: [], bytes: 0, cursor: null });

export async function pullFromCollector(ctx: CoreContext): Promise<CollectorSyncResult> {
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

  const totals: CollectorSyncResult = {
    payloads: 0,
    duplicatePayloads: 0,
    events: 0,
    outgoing: 0,
    skipped: 0,
  };
  let cursor = state.cursor;
  let done = 0;
  try {
    for (;;) {
      const page = await fetchPage(state.url, token, cursor, ctx.signal);
      let total = done;
      let batch = emptyBatch();
      let ended: { more: boolean } | null = null;
      const commit = () => {
        if (!batch.cursor) return;
        cursor = batch.cursor;
        commitBatch(db, batch, totals);
        done += batch.payloads.length + batch.events.length + batch.outgoing.length;
        batch = emptyBatch();
        ctx.progress(total > 0 ? Math.min(1, done / total) : null, `${done} of ${total} items`);
      };
      for await (const { line, bytes } of ndjsonLines(page)) {
        switch (line.type) {
          case 'header':
            total = done + line.remaining;
            ctx.progress(total > 0 ? done / total : null, `${done} of ${total} items`);
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
          case 'end':
            ended = { more: line.more };
            // The end line's cursor also covers rows skipped at the collector (bodies removed by retention).
            batch.cursor = line.cursor;
            continue;
          case 'error':
            commit();
            throw new ApiError('unavailable', `The collector failed while streaming: ${line.message}`);
        }
        batch.cursor = line.cursor;
        batch.bytes += bytes;
        if (
          batch.payloads.length + batch.events.length + batch.outgoing.length >= BATCH_ITEMS ||
          batch.bytes >= BATCH_BYTES
        ) {
          commit();
          await ctx.yield();
          if (ctx.signal.aborted) throw abortError();
        }
      }
      commit();
      if (!ended)
        throw new ApiError('unavailable', 'The connection to the collector broke off; sync again to resume');
      if (!ended.more) break;
    }
  } catch (err) {
    const shape = err as { name?: string; code?: string; message?: string };
    if (shape.name !== 'AbortError') {
      // "online" means the collector answered: a refused token is a problem to fix, not an outage.
      markResult(db, { ok: false, error: shape.message ?? String(err), online: shape.code === 'forbidden' });
    }
    throw err;
  }
  markResult(db, { ok: true, now: Date.now() });
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'all' });
  return totals;
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
    const why = (err as { cause?: { code?: string } }).cause?.code ?? 'failed';
    throw new ApiError('unavailable', `The collector at ${base} could not be reached (${why})`);
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new ApiError(
      'forbidden',
      `The collector refused the read token (HTTP ${res.status}): create a new one with insights collector token create`,
    );
  }
  if (res.status !== 200 || !res.body) {
    const text = (await res.text()).slice(0, 200);
    throw new ApiError('unavailable', `The collector answered HTTP ${res.status}: ${text}`);
  }
  return res;
}

/** NDJSON lines of a response body, parsed; a torn last line (cut connection) is dropped. */
async function* ndjsonLines(res: Response): AsyncGenerator<{ line: SyncLine; bytes: number }> {
  const decoder = new TextDecoder();
  let buffered = '';
  const reader = res.body!.getReader();
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch {
      // The connection broke: stop here; the caller sees no end line and commits what it has.
      return;
    }
    if (chunk.done) break;
    buffered += decoder.decode(chunk.value, { stream: true });
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const text = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (text.trim() !== '') yield { line: JSON.parse(text) as SyncLine, bytes: text.length };
      nl = buffered.indexOf('\n');
    }
  }
}

function commitBatch(db: Db, batch: Batch, totals: CollectorSyncResult): void {
  db.transaction(() => {
    if (batch.payloads.length > 0) {
      const r = ingestPayloads(db, batch.payloads);
      totals.payloads += r.payloads;
      totals.duplicatePayloads += r.duplicatePayloads;
      totals.skipped += r.rejected.length;
    }
    const eventIds = storeSyncedEvents(db, batch.events);
    totals.events += eventIds.length;
    const outgoingIds: string[] = [];
    for (const o of batch.outgoing) {
      if (typeof o.id !== 'string') continue;
      upsertOutgoing(
        db,
        {
          id: o.id,
          phoneNumberId: typeof o.phone_number_id === 'string' ? o.phone_number_id : '',
          contactId: typeof o.contact_id === 'string' ? o.contact_id : null,
          templateName: typeof o.template_name === 'string' ? o.template_name : null,
          sentAt: typeof o.sent_at === 'number' ? o.sent_at : 0,
          buttons: typeof o.buttons === 'string' ? (JSON.parse(o.buttons) as []) : [],
        },
        typeof o.origin === 'string' ? o.origin : 'send-proxy',
      );
      outgoingIds.push(o.id);
    }
    totals.outgoing += outgoingIds.length;
    if (eventIds.length > 0 || outgoingIds.length > 0) {
      deriveChanges(db, { messageIds: [], externalEventIds: eventIds, outgoingIds });
    }
    db.prepare(
      `UPDATE collector_state SET cursor = ?, received_payloads = received_payloads + ?,
         received_events = received_events + ?, received_outgoing = received_outgoing + ? WHERE id = 1`,
    ).run(batch.cursor, batch.payloads.length, eventIds.length, outgoingIds.length);
  }).immediate();
}

/**
 * External events replicate verbatim: same id (so previous_external_event_id links still resolve),
 * same received_at. An id or event_id the desktop already has is skipped.
 */
function storeSyncedEvents(db: Db, events: Record<string, unknown>[]): string[] {
  if (events.length === 0) return [];
  const insert = db.prepare(
    `INSERT OR IGNORE INTO external_events (id, event_id, client_id, action, contact_id, ts, revenue_amount,
       revenue_currency, app_id, previous_external_event_id, received_at, origin)
     VALUES (@id, @event_id, @client_id, @action, @contact_id, @ts, @revenue_amount, @revenue_currency, @app_id,
       @previous_external_event_id, @received_at, 'sync')`,
  );
  const ids: string[] = [];
  for (const e of events) {
    if (typeof e.id !== 'string') continue;
    const row = {
      id: e.id,
      event_id: e.event_id ?? null,
      client_id: e.client_id ?? null,
      action: e.action,
      contact_id: e.contact_id,
      ts: e.ts,
      revenue_amount: e.revenue_amount ?? null,
      revenue_currency: e.revenue_currency ?? null,
      app_id: e.app_id ?? null,
      previous_external_event_id: e.previous_external_event_id ?? null,
      received_at: e.received_at,
    };
    if (insert.run(row).changes > 0) ids.push(e.id);
  }
  return ids;
}

function abortError(): Error {
  const err = new Error('Cancelled');
  err.name = 'AbortError';
  return err;
}
