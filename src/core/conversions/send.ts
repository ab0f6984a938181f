import type { ConversionSendResult } from '../../shared/contract/conversions';
import { ApiError } from '../../shared/contract/errors';
import { activePrefix } from '../attribution/tables';
import type { Db } from '../db/open';
import { getSetting, setSetting } from '../db/settings';
import { markNeedsLogin } from '../meta/connection';
import type { GraphClient } from '../meta/graph-client';
import { GraphError } from '../meta/graph-error';
import {
  type CapiEvent,
  type EventsBody,
  eventsPath,
  findDataset,
  PARTNER_AGENT,
  postEvents,
} from './capi-client';
import { countByState, nextSeq, type OutboxRow } from './outbox';
import { planChanged, planWindow } from './plan';
import {
  datasetOf,
  flagRejectedName,
  MAX_AGE_SECONDS,
  readCapiSettings,
  saveDataset,
  wabaOf,
} from './settings';

// The sender (docs/conversions-api.md, "How it is sent"): due entries, oldest first, grouped by dataset and
// Meta name, in requests of at most MAX_BATCH events. An entry is marked sent only after Meta's 200, in the
// transaction right after it, so a crash or a kill before that leaves it pending and it is sent once later.
// Meta rejects a whole request when one event is older than 7 days, and does not deduplicate business-
// messaging events: old entries are expired before they go out, and a refused request is split until the
// entry Meta refuses is found, so the others are still sent, each once.

/** Events per request (the Conversions API takes up to 1,000). */
export const MAX_BATCH = 1000;
/** Meta's "event name not accepted for business messaging" subcode (reported by partners; see the docs). */
const NAME_NOT_ACCEPTED = 2804066;
/** Meta's "event time too old" subcode of error 100 (https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/server-event, event_time). */
const TOO_OLD = 2804003;
/** Entries this close to the 7-day limit are expired rather than sent: the request may arrive later. */
const EXPIRY_MARGIN_SECONDS = 300;
/** Waits after failed attempts 1, 2, 3 …: 1 min, 5 min, 30 min, 2 h, then 6 h. */
const RETRY_DELAYS_MS = [60_000, 300_000, 1_800_000, 7_200_000, 21_600_000];

export interface SendOptions {
  db: Db;
  /** null: a dry run, or no token (then nothing is sent). */
  client: GraphClient | null;
  dryRun: boolean;
  testEventCode: string | null;
  now: () => number;
  signal?: AbortSignal | undefined;
  progress?: (fraction: number | null, detail: string) => void;
  /**
   * Before each request to Meta, with the entries it carries; throwing stops the send with nothing posted
   * (the PostgreSQL sender claims them under its lease: src/core/pg/conversions-owner.ts).
   */
  beforeRequest?: (rows: readonly OutboxRow[]) => Promise<void>;
  /** After the outbox changes a request led to are committed (the PostgreSQL sender mirrors them at once). */
  afterRequest?: () => Promise<void>;
}

interface Outcome {
  sent: number;
  batches: number;
  lastError: string | null;
  stop: boolean;
}

type Group = { datasetId: string; wabaId: string; metaEvent: string; rows: OutboxRow[] };

export async function sendConversions(o: SendOptions): Promise<ConversionSendResult> {
  const { db } = o;
  const nowS = Math.floor(o.now() / 1000);
  planIfStale(db, nowS);
  planChanged(db, nowS);
  if (!o.dryRun) expireOld(db, o.now());
  const s = readCapiSettings(db);
  const testCode = o.testEventCode ?? s.testEventCode;
  // Due entries in pages, oldest first (keyset: each page starts after the last one read), so 100,000
  // waiting entries are never all in memory at once and an entry left waiting is not read twice.
  const dueCount = db.prepare(`SELECT COUNT(*) FROM capi_outbox WHERE ${DUE}`).pluck().get(o.now()) as number;
  const page = db.prepare(
    `SELECT * FROM capi_outbox WHERE ${DUE} AND (event_time, event_id) > (?, ?) ORDER BY event_time, event_id LIMIT ?`,
  );
  const requests: ConversionSendResult['requests'] = [];
  const out: Outcome = { sent: 0, batches: 0, lastError: null, stop: false };
  let after: [number, string] = [-1, ''];
  let done = 0;
  while (!out.stop) {
    const due = page.all(o.now(), after[0], after[1], PAGE) as OutboxRow[];
    if (due.length === 0) break;
    const last = due[due.length - 1]!;
    after = [last.event_time, last.event_id];
    const groups = await groupByDataset(o, due);
    out.lastError = groups.lastError ?? out.lastError;
    for (const g of groups.groups) {
      for (let i = 0; i < g.rows.length && !out.stop; i += MAX_BATCH) {
        o.signal?.throwIfAborted();
        const rows = g.rows.slice(i, i + MAX_BATCH);
        if (o.dryRun || !o.client) {
          requests.push({
            datasetId: g.datasetId,
            path: eventsPath(g.datasetId),
            body: { ...bodyOf(g, rows, testCode) },
          });
          out.sent += rows.length;
          out.batches++;
        } else {
          await sendBatch(o, o.client, g, rows, testCode, out);
          await o.afterRequest?.();
        }
        done += rows.length;
        o.progress?.(dueCount ? Math.min(1, done / dueCount) : 1, `${done} of ${dueCount} conversions`);
      }
    }
  }
  if (!o.dryRun) setSetting(db, 'capi.lastSendAt', o.now());
  return {
    dryRun: o.dryRun,
    sent: out.sent,
    batches: out.batches,
    requests,
    counts: countByState(db),
    lastError: out.lastError,
  };
}

/** Entries a send may take: pending, or failed and due again. */
const DUE = `origin = 'local' AND (state = 'pending' OR (state = 'failed' AND coalesce(next_attempt_at, 0) <= ?))`;
/** Entries read per page. */
const PAGE = 5000;

/** After a rebuild (the active set changed) every unsent entry is planned again from the new set. */
function planIfStale(db: Db, nowS: number): void {
  const set = activePrefix(db);
  if (getSetting<string | null>(db, 'capi.plannedSet', null) === set) return;
  planWindow(db, nowS);
  setSetting(db, 'capi.plannedSet', set);
}

function expireOld(db: Db, nowMs: number): void {
  const limit = Math.floor(nowMs / 1000) - MAX_AGE_SECONDS + EXPIRY_MARGIN_SECONDS;
  const ids = db
    .prepare(
      `SELECT event_id FROM capi_outbox WHERE origin = 'local' AND state IN ('pending', 'failed') AND event_time < ?`,
    )
    .pluck()
    .all(limit) as string[];
  setState(db, ids, { state: 'expired', reason: 'too_old', error: null }, nowMs);
}

/** Groups due entries by (dataset, Meta name); entries whose WABA has no dataset wait, saying why. */
async function groupByDataset(
  o: SendOptions,
  due: OutboxRow[],
): Promise<{ groups: Group[]; lastError: string | null }> {
  const groups = new Map<string, Group>();
  const datasets = new Map<string, string | null>();
  let lastError: string | null = null;
  const waiting: string[] = [];
  for (const r of due) {
    const waba = wabaOf(o.db, r.phone_number_id);
    if (!waba) continue; // planned as not_sendable; a WABA entered later re-plans it
    if (!datasets.has(waba)) {
      let id = datasetOf(o.db, waba);
      if (!id && o.client) {
        id = await findDataset(o.client, waba, false).catch(() => null);
        if (id) saveDataset(o.db, waba, id, o.now());
      }
      datasets.set(waba, id);
    }
    const datasetId = datasets.get(waba);
    if (!datasetId) {
      waiting.push(r.event_id);
      lastError = `No Meta dataset for WhatsApp Business Account ${waba}: Settings → Conversions to Meta → Find or create dataset`;
      continue;
    }
    const key = `${datasetId}\u0001${r.meta_event}`;
    let g = groups.get(key);
    if (!g) {
      g = { datasetId, wabaId: waba, metaEvent: r.meta_event, rows: [] };
      groups.set(key, g);
    }
    g.rows.push(r);
  }
  if (waiting.length > 0 && !o.dryRun) {
    const seq = nextSeq(o.db);
    const st = o.db.prepare(
      `UPDATE capi_outbox SET error = ?, reason = 'no_dataset', seq = ? WHERE event_id = ?`,
    );
    o.db.transaction(() => {
      for (const [i, id] of waiting.entries()) st.run(lastError, seq + i, id);
    })();
  }
  return { groups: [...groups.values()], lastError };
}

function eventOf(r: OutboxRow, wabaId: string): CapiEvent {
  const e: CapiEvent = {
    event_name: r.meta_event,
    event_time: r.event_time,
    event_id: r.event_id,
    action_source: 'business_messaging',
    messaging_channel: 'whatsapp',
    user_data: { whatsapp_business_account_id: wabaId, ctwa_clid: r.ctwa_clid ?? '' },
  };
  if (r.value_micros !== null && r.currency)
    e.custom_data = { currency: r.currency, value: r.value_micros / 1_000_000 };
  return e;
}

function bodyOf(g: Group, rows: OutboxRow[], testCode: string | null): EventsBody {
  return {
    data: rows.map((r) => eventOf(r, g.wabaId)),
    ...(testCode ? { test_event_code: testCode } : {}),
    partner_agent: PARTNER_AGENT,
  };
}

async function sendBatch(
  o: SendOptions,
  client: GraphClient,
  g: Group,
  rows: OutboxRow[],
  testCode: string | null,
  out: Outcome,
): Promise<void> {
  const { db } = o;
  await o.beforeRequest?.(rows);
  try {
    const answer = await postEvents(client, g.datasetId, bodyOf(g, rows, testCode));
    const now = o.now();
    db.transaction(() => {
      logSend(
        db,
        now,
        g.datasetId,
        rows.length,
        null,
        answer.events_received ?? null,
        answer.fbtrace_id ?? null,
        testCode,
      );
      const seq = nextSeq(db);
      const st = db.prepare(
        `UPDATE capi_outbox SET state = 'sent', reason = NULL, error = NULL, attempts = attempts + 1, next_attempt_at = NULL,
            events_received = ?, fbtrace_id = ?, sent_at = ?, updated_at = ?, seq = ? WHERE event_id = ?`,
      );
      for (const [i, r] of rows.entries())
        st.run(answer.events_received ?? null, answer.fbtrace_id ?? null, now, now, seq + i, r.event_id);
    })();
    out.sent += rows.length;
    out.batches++;
  } catch (err) {
    if (o.signal?.aborted) throw err;
    const now = o.now();
    const e = err instanceof GraphError ? err : null;
    const message =
      err instanceof ApiError ? err.message : `Could not send to Meta: ${(err as Error).message}`;
    logSend(db, now, g.datasetId, rows.length, message, null, e?.fbtraceId ?? null, testCode);
    out.lastError = message;
    if (e?.kind === 'auth') {
      markNeedsLogin(db, e.message);
      out.stop = true; // entries stay pending until Meta is connected again
      return;
    }
    if (!e || e.kind === 'throttle' || e.kind === 'transient') {
      retryLater(db, rows, message, now);
      out.stop = true; // Meta is busy or unreachable: the next round tries again
      return;
    }
    if (e.subcode === NAME_NOT_ACCEPTED) {
      flagRejectedName(db, g.metaEvent, now);
      setState(
        db,
        ids(rows),
        {
          state: 'rejected',
          reason: 'name_not_accepted',
          error: `Meta does not accept the event name ${g.metaEvent} here (${e.graphMessage || 'subcode 2804066'}): map the event to another name`,
        },
        now,
      );
      return;
    }
    if (/restrictive region/i.test(`${e.graphMessage} ${e.message}`)) {
      setState(
        db,
        ids(rows),
        {
          state: 'rejected',
          reason: 'restricted_region',
          error: `Meta refused messaging events for this account: "Messaging Event Within Messaging Restrictive Region" (EU rules)`,
        },
        now,
      );
      return;
    }
    const limit = Math.floor(now / 1000) - MAX_AGE_SECONDS + EXPIRY_MARGIN_SECONDS;
    const old = rows.filter((r) => r.event_time < limit);
    if (old.length > 0) {
      setState(db, ids(old), { state: 'expired', reason: 'too_old', error: null }, now);
      const rest = rows.filter((r) => r.event_time >= limit);
      if (rest.length > 0) await sendBatch(o, client, g, rest, testCode, out);
      return;
    }
    // Too old for Meta's clock though not for ours: the halving below finds which one.
    if (e.subcode === TOO_OLD && rows.length === 1) {
      setState(db, ids(rows), { state: 'expired', reason: 'too_old', error: null }, now);
      return;
    }
    // Meta refused the request for one event it does not say: halve until that event is alone.
    if (rows.length > 1) {
      const half = Math.ceil(rows.length / 2);
      await sendBatch(o, client, g, rows.slice(0, half), testCode, out);
      if (!out.stop) await sendBatch(o, client, g, rows.slice(half), testCode, out);
      return;
    }
    setState(db, ids(rows), { state: 'rejected', reason: 'meta_error', error: message }, now);
  }
}

const ids = (rows: OutboxRow[]) => rows.map((r) => r.event_id);

function setState(
  db: Db,
  eventIds: string[],
  to: { state: 'expired' | 'rejected'; reason: string; error: string | null },
  nowMs: number,
): void {
  if (eventIds.length === 0) return;
  db.transaction(() => {
    const seq = nextSeq(db);
    const st = db.prepare(
      'UPDATE capi_outbox SET state = ?, reason = ?, error = ?, next_attempt_at = NULL, updated_at = ?, seq = ? WHERE event_id = ?',
    );
    for (const [i, id] of eventIds.entries()) st.run(to.state, to.reason, to.error, nowMs, seq + i, id);
  })();
}

function retryLater(db: Db, rows: OutboxRow[], message: string, nowMs: number): void {
  db.transaction(() => {
    const seq = nextSeq(db);
    const st = db.prepare(
      `UPDATE capi_outbox SET state = 'failed', reason = 'meta_unavailable', error = ?, attempts = attempts + 1,
          next_attempt_at = ?, updated_at = ?, seq = ? WHERE event_id = ?`,
    );
    rows.forEach((r, i) => {
      const wait = RETRY_DELAYS_MS[Math.min(r.attempts, RETRY_DELAYS_MS.length - 1)]!;
      st.run(message, nowMs + wait, nowMs, seq + i, r.event_id);
    });
  })();
}

function logSend(
  db: Db,
  at: number,
  datasetId: string,
  events: number,
  error: string | null,
  received: number | null,
  fbtrace: string | null,
  testCode: string | null,
): void {
  db.prepare(
    `INSERT INTO capi_sends (at, dataset_id, events, ok, events_received, fbtrace_id, error, test_event_code)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(at, datasetId, events, error === null ? 1 : 0, received, fbtrace, error, testCode);
}
