import { ApiError } from '../../shared/contract/errors';
import { parseSentConversions, recordSentElsewhere, type SentConversion } from '../collector/handover';
import { type FeedLine, pullFeed } from '../collector/pull';
import type { SyncLine } from '../collector/wire';
import { sendIsDue } from '../conversions/due';
import { metaClient, PG_COPY_CURSOR } from '../conversions/handlers';
import { FINAL_STATES, OUTBOX_COLUMNS, type OutboxRow } from '../conversions/outbox';
import { sendConversions } from '../conversions/send';
import { withSendLease } from '../conversions/send-lease';
import { readCapiSettings } from '../conversions/settings';
import type { Db } from '../db/open';
import { getSetting, setSetting } from '../db/settings';
import type { CoreContext, InternalHandlers } from '../kernel/context';
import { TOKEN_SECRET } from '../meta/settings';
import { secretName } from '../secrets/secret-store';
import { readPgPage } from './feed';
import { leaseFence } from './lease';
import { openPgStore, type PgStore, sql } from './pool';

// One round of the PostgreSQL collector's conversions sender, for one workspace, on the lane worker of
// the process holding that workspace's `conversions` lease (conversions-owner.ts runs it; docs/collector.md,
// "Conversions to Meta with PostgreSQL"). The process keeps a SQLite workspace in its own data folder,
// fed from the PostgreSQL feed by the desktop's sync code (pullFeed), and plans and sends from it with the
// SQLite sender (sendConversions), unchanged. PostgreSQL holds the outbox that counts (capi_outbox,
// migration 0003): every local change is pushed there, and a process that takes the lease over starts
// from it. A round:
//  1. pushes the local outbox changes PostgreSQL does not have yet (a restart after a kill);
//  2. after taking the lease, replaces the local outbox by PostgreSQL's (another owner may have sent since);
//  3. catches the copy up from the feed (its cursor in the workspace's settings);
//  4. records what desktops reported as sent before they were connected (POST /v1/conversions/sent);
//  5. plans and sends when due; before each request to Meta its entries are claimed in PostgreSQL under
//     the lease (no lease, no request), and right after Meta's answer the new states are pushed.

/** The workspace is a PostgreSQL collector's copy: its feed cursor (the desktop keeps its own in collector_state). */
const PG_FEED_CURSOR = PG_COPY_CURSOR;
/** The local outbox seq up to which PostgreSQL has every change. */
const PUSHED_SEQ = 'pg.outboxPushedSeq';
/** The lease (holder and since when) whose outbox the local one was last replaced by. */
const ADOPTED_LEASE = 'pg.outboxAdoptedLease';
export const CONVERSIONS_JOB = 'conversions';

const PUSH_ROWS = 1000;

export interface RoundArgs {
  databaseUrl: string;
  holder: string;
  /**
   * Set to 1 by the process when the lease is given up or lost: the round starts no further request to
   * Meta. Shared memory, so the lane worker sees it at once (a SharedArrayBuffer is shared, not copied,
   * by postMessage: https://nodejs.org/api/worker_threads.html#portpostmessagevalue-transferlist).
   */
  stop?: Int32Array;
}

/** A flag for RoundArgs.stop. */
export function stopFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

export interface RoundResult {
  /** Conversions are off in this workspace: nothing was read or sent. */
  off?: true;
  synced: number;
  /** Unsent entries another owner had claimed for a request whose answer it never recorded. */
  unanswered: number;
  sent: number;
  pushed: number;
}

/** A pool per database for the lane worker's rounds (two connections: a round runs one statement at a time). */
const stores = new Map<string, PgStore>();
function storeFor(url: string): PgStore {
  let s = stores.get(url);
  if (!s) {
    s = openPgStore(url, { max: 2 });
    stores.set(url, s);
  }
  return s;
}

const COLUMNS = OUTBOX_COLUMNS;
const TYPES: Record<(typeof COLUMNS)[number], string> = {
  event_id: 'text',
  conversation: 'text',
  phone_number_id: 'text',
  contact_id: 'text',
  source_key: 'text',
  event_key: 'text',
  meta_event: 'text',
  occurrence: 'text',
  event_time: 'bigint',
  ctwa_clid: 'text',
  value_micros: 'bigint',
  currency: 'text',
  state: 'text',
  reason: 'text',
  error: 'text',
  attempts: 'integer',
  next_attempt_at: 'bigint',
  events_received: 'integer',
  fbtrace_id: 'text',
  sent_at: 'bigint',
  created_at: 'bigint',
  updated_at: 'bigint',
};
const FINAL_SQL = [...FINAL_STATES].map((s) => `'${s}'`).join(', ');

// Local changes into PostgreSQL. A final state (sent, rejected, expired) is the truth whoever records it,
// lease or not: Meta answered. Any other state only from the lease holder ($3–$5, the fence; $6 for
// `collector migrate`, which copies a SQLite collector's outbox), and never over a final one, except
// `sent` (Meta has it). A row whose content did not change keeps its position, so
// desktops are not served it again.
const PUSH = sql(
  'capi_outbox_push',
  `INSERT INTO capi_outbox AS o (workspace, ${COLUMNS.join(', ')})
   SELECT $1, ${COLUMNS.map((c) => `r.${c}`).join(', ')}
   FROM jsonb_to_recordset($2::jsonb) AS r(${COLUMNS.map((c) => `${c} ${TYPES[c]}`).join(', ')})
   WHERE r.state IN (${FINAL_SQL}) OR $6::boolean OR ${leaseFence(3)}
   ON CONFLICT (workspace, event_id) DO UPDATE SET
     ${COLUMNS.filter((c) => c !== 'event_id')
       .map((c) => `${c} = EXCLUDED.${c}`)
       .join(', ')},
     claimed_by = NULL, claimed_at = NULL,
     seq = nextval('capi_outbox_seq'), xid = pg_current_xact_id()
   WHERE (o.state NOT IN (${FINAL_SQL}) OR (EXCLUDED.state = 'sent' AND o.state <> 'sent'))
     AND (EXCLUDED.state IN (${FINAL_SQL}) OR $6::boolean OR ${leaseFence(3)})
     AND (o.state, o.reason, o.error, o.updated_at, o.attempts, o.contact_id, o.ctwa_clid)
         IS DISTINCT FROM (EXCLUDED.state, EXCLUDED.reason, EXCLUDED.error, EXCLUDED.updated_at,
                           EXCLUDED.attempts, EXCLUDED.contact_id, EXCLUDED.ctwa_clid)`,
);

// Before a request to Meta: its entries, claimed by this holder, only while it holds the lease.
const CLAIM = sql(
  'capi_outbox_claim',
  `UPDATE capi_outbox SET claimed_by = $5, claimed_at = now()
   WHERE workspace = $1 AND event_id = ANY($2::text[]) AND ${leaseFence(3)} RETURNING 1`,
);

const LEASE = sql(
  'capi_lease_of',
  `SELECT holder, acquired_at::text AS since FROM leases WHERE workspace = $1 AND job = $2 AND holder = $3`,
);

const OUTBOX_PAGE = sql(
  'capi_outbox_page',
  `SELECT ${COLUMNS.join(', ')}, claimed_by FROM capi_outbox
   WHERE workspace = $1 AND event_id > $2 ORDER BY event_id LIMIT $3`,
);

const SENT_ELSEWHERE = sql(
  'capi_sent_elsewhere',
  'SELECT entry FROM conversions_sent_elsewhere WHERE workspace = $1 ORDER BY event_id',
);

/**
 * Outbox rows into PostgreSQL by the rules of PUSH: as the lease `holder`, or with `holder` null as
 * `collector migrate` (a SQLite collector's outbox, which the next owner starts from).
 */
export async function copyOutboxRows(
  store: PgStore,
  workspace: string,
  rows: readonly Pick<OutboxRow, (typeof COLUMNS)[number]>[],
  holder: string | null,
): Promise<void> {
  await store.query(PUSH, [
    workspace,
    JSON.stringify(rows.map((r) => Object.fromEntries(COLUMNS.map((c) => [c, r[c]])))),
    workspace,
    CONVERSIONS_JOB,
    holder ?? '',
    holder === null,
  ]);
}

/** Pushes every local outbox change PostgreSQL may not have; returns how many rows were sent to it. */
async function pushOutbox(store: PgStore, db: Db, workspace: string, holder: string): Promise<number> {
  const page = db.prepare(
    `SELECT ${COLUMNS.join(', ')}, seq FROM capi_outbox WHERE origin = 'local' AND seq > ? ORDER BY seq LIMIT ?`,
  );
  let pushed = 0;
  for (;;) {
    const rows = page.all(getSetting<number>(db, PUSHED_SEQ, 0), PUSH_ROWS) as (OutboxRow & {
      seq: number;
    })[];
    if (rows.length === 0) return pushed;
    await copyOutboxRows(
      store,
      workspace,
      rows.map(({ seq: _s, ...r }) => r),
      holder,
    );
    setSetting(db, PUSHED_SEQ, rows[rows.length - 1]!.seq);
    pushed += rows.length;
  }
}

/**
 * After taking the lease: the local outbox becomes PostgreSQL's (this process's own unpushed changes were
 * pushed first). Returns how many unsent entries another holder had claimed without recording an answer.
 */
async function adoptOutbox(store: PgStore, db: Db, workspace: string, holder: string): Promise<number> {
  const [lease] = await store.query<{ holder: string; since: string }>(LEASE, [
    workspace,
    CONVERSIONS_JOB,
    holder,
  ]);
  if (!lease) throw new ApiError('conflict', 'This collector no longer holds the conversions lease');
  const key = `${lease.holder}@${lease.since}`;
  if (getSetting<string | null>(db, ADOPTED_LEASE, null) === key) return 0;
  const rows: (OutboxRow & { claimed_by: string | null })[] = [];
  for (let after = ''; ; ) {
    const page = await store.query<OutboxRow & { claimed_by: string | null }>(OUTBOX_PAGE, [
      workspace,
      after,
      5000,
    ]);
    rows.push(...page);
    if (page.length < 5000) break;
    after = page[page.length - 1]!.event_id;
  }
  const insert = db.prepare(
    `INSERT INTO capi_outbox (${COLUMNS.join(', ')}, origin, seq)
     VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')}, 'local', @seq)`,
  );
  let unanswered = 0;
  db.transaction(() => {
    db.prepare('DELETE FROM capi_outbox').run();
    let seq = 1;
    for (const { claimed_by, ...r } of rows) {
      if (claimed_by && claimed_by !== holder && !FINAL_STATES.has(r.state)) unanswered++;
      insert.run({ ...r, seq: seq++ });
    }
    // What was just copied is PostgreSQL's already.
    setSetting(db, PUSHED_SEQ, seq - 1);
    setSetting(db, ADOPTED_LEASE, key);
  }).immediate();
  return unanswered;
}

/** POST /v1/conversions/sent reached any process: recorded here as on a SQLite collector (handover.ts). */
async function applyHandover(store: PgStore, db: Db, workspace: string): Promise<void> {
  const rows = await store.query<{ entry: SentConversion }>(SENT_ELSEWHERE, [workspace]);
  for (let i = 0; i < rows.length; i += 1000) {
    const body = parseSentConversions({ events: rows.slice(i, i + 1000).map((r) => r.entry) });
    recordSentElsewhere(db, body);
  }
}

/** One page of the PostgreSQL feed as the lines a desktop reads, without the outbox (this process's own). */
async function pgLines(store: PgStore, workspace: string, cursor: string | null): Promise<FeedLine[]> {
  const { page, remaining } = await readPgPage(store, workspace, cursor ?? '', 5000, true);
  const lines: FeedLine[] = [{ line: { type: 'header', remaining, limit: 5000 }, bytes: 0 }];
  for (const item of page.items) {
    if (item.type === 'outbox') continue;
    const line: SyncLine =
      item.type === 'payload'
        ? {
            type: 'payload',
            cursor: item.cursor,
            receivedAt: item.receivedAt,
            origin: item.origin,
            channel: item.channel,
            body: JSON.parse(item.json) as unknown,
          }
        : item;
    lines.push({ line, bytes: item.type === 'payload' ? item.json.length : 200 });
  }
  lines.push({ line: { type: 'end', cursor: page.cursor, more: page.more }, bytes: 0 });
  return lines;
}

export async function conversionsRound(args: RoundArgs, ctx: CoreContext): Promise<RoundResult> {
  const db = ctx.db();
  const result: RoundResult = { synced: 0, unanswered: 0, sent: 0, pushed: 0 };
  if (!readCapiSettings(db).enabled) return { ...result, off: true };
  const store = storeFor(args.databaseUrl);
  const { holder } = args;
  const stop = args.stop;
  return round(store, ctx, holder, result, () => !!stop && Atomics.load(stop, 0) === 1);
}

async function round(
  store: PgStore,
  ctx: CoreContext,
  holder: string,
  result: RoundResult,
  stopping: () => boolean,
): Promise<RoundResult> {
  const db = ctx.db();
  const ws = ctx.workspace;
  result.pushed += await pushOutbox(store, db, ws, holder);
  result.unanswered = await adoptOutbox(store, db, ws, holder);
  const synced = await pullFeed(
    ctx,
    getSetting<string | null>(db, PG_FEED_CURSOR, null),
    (d, batch) => setSetting(d, PG_FEED_CURSOR, batch.cursor),
    async (cursor) => pgLines(store, ws, cursor),
  );
  result.synced = synced.payloads + synced.events + synced.outgoing + synced.erased;
  await applyHandover(store, db, ws);
  try {
    if (sendIsDue(db, Date.now())) {
      const client = await metaClient(ctx);
      const sent = await withSendLease(ctx, () =>
        sendConversions({
          db,
          client,
          dryRun: false,
          testEventCode: null,
          now: Date.now,
          signal: ctx.signal,
          beforeRequest: async (rows) => {
            // Stopping or no longer the owner: the request in flight has finished, no new one starts.
            if (stopping())
              throw new ApiError(
                'unavailable',
                'Stopped before the next request to Meta; the next owner sends',
              );
            result.pushed += await pushOutbox(store, db, ws, holder);
            const claimed = await store.query(CLAIM, [
              ws,
              rows.map((r) => r.event_id),
              ws,
              CONVERSIONS_JOB,
              holder,
            ]);
            if (claimed.length !== rows.length)
              throw new ApiError(
                'conflict',
                'This collector no longer holds the conversions lease: another one sends now',
              );
          },
          afterRequest: async () => {
            result.pushed += await pushOutbox(store, db, ws, holder);
          },
        }),
      );
      result.sent = sent.sent;
    }
  } finally {
    result.pushed += await pushOutbox(store, db, ws, holder);
  }
  return result;
}

/**
 * Whether this process can send the workspace's conversions: on, Meta connected here (the token in this
 * process's secret store) and not refused by Meta since. Only such processes contend for the lease, so
 * a machine set up halfway never holds it while another could send.
 */
async function canSend(ctx: CoreContext): Promise<boolean> {
  const db = ctx.db();
  if (!readCapiSettings(db).enabled) return false;
  const needsLogin = db.prepare('SELECT needs_login FROM meta_connection WHERE id = 1').pluck().get();
  if (needsLogin === 1) return false;
  return !!(await ctx.secrets.get(secretName(ctx.workspace, TOKEN_SECRET)));
}

export const pgConversionsInternalHandlers: InternalHandlers = {
  'conversions.pgRound': (args, ctx) => {
    const a = args as Partial<RoundArgs> | null;
    if (typeof a?.databaseUrl !== 'string' || typeof a.holder !== 'string')
      throw new ApiError('invalid_argument', 'conversions.pgRound: a database URL and a lease holder');
    return conversionsRound(a as RoundArgs, ctx);
  },
  'conversions.pgEnabled': async (_args, ctx) => ({ enabled: await canSend(ctx) }),
};
