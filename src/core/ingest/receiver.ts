import { z } from 'zod';
import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import type { CoreContext } from '../kernel/context';
import { authenticateKey, findChannel, findKeyWorkspace, getChannel, hashesEqual } from './channels';
import { parseExternalEvent, storeExternalEvents } from './external-events';
import { storePrepared } from './ingest';
import { parseJsonText } from './json-body';
import { type Prepared, type PreparedPayload, preparePayload } from './prepare';
import { addToQuarantine } from './quarantine';
import { applyRetention } from './retention';
import { walSynced } from './wal-sync';

// The write-lane side of the receivers. Webhook deliveries are GROUP-COMMITTED: deliveries arriving
// while the lane is busy queue up and are stored in one transaction, and each is acknowledged only
// after that commit has reached the disk (wal-sync.ts). One commit (and at most one WAL sync) per batch
// instead of per delivery is what lets a single writer keep up with many concurrent senders.

export const WebhookArgs = z.object({
  channel: z.string().min(1).max(64),
  /** hex sha256 of the Bearer secret; checked against channels.secret_hash in the same transaction. */
  secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The body as delivered; the route leaves it out when it sends the payload prepared. */
  body: z.string().optional(),
  /**
   * The body already prepared (preparePayload) by the HTTP thread, so that the single writer only
   * checks the secret, inserts and derives. Trusted: internal calls come from this process's routes.
   */
  prepared: z.custom<PreparedPayload>((v) => typeof v === 'object' && v !== null).optional(),
  contentType: z.string().nullable(),
  receivedAt: z.number().int(),
});
export type WebhookArgs = z.infer<typeof WebhookArgs>;

export interface WebhookOutcome {
  status: 200 | 400 | 401;
  message?: string;
  duplicate?: boolean;
}

const MAX_BATCH = 500;
/**
 * A commit has a fixed cost (WAL frames of every page touched), so a delivery waits up to this long
 * for others to share its transaction; a busy lane flushes as soon as the previous commit is done.
 */
const GATHER_MS = 2;
const GATHER_COUNT = 32;

interface Queued {
  args: WebhookArgs;
  resolve(o: WebhookOutcome): void;
  reject(e: unknown): void;
}

interface LaneState {
  queue: Queued[];
  scheduled: boolean;
  timer: NodeJS.Timeout | null;
  lastRetention: number;
  lastEmit: number;
}

const lanes = new WeakMap<Db, LaneState>();

export function receiveWebhook(rawArgs: unknown, ctx: CoreContext): Promise<WebhookOutcome> {
  const args = WebhookArgs.parse(rawArgs);
  const db = ctx.db();
  let lane = lanes.get(db);
  if (!lane) {
    lane = { queue: [], scheduled: false, timer: null, lastRetention: 0, lastEmit: 0 };
    lanes.set(db, lane);
  }
  const state = lane;
  return new Promise<WebhookOutcome>((resolve, reject) => {
    state.queue.push({ args, resolve, reject });
    if (state.timer && state.queue.length >= GATHER_COUNT) {
      clearTimeout(state.timer);
      state.timer = null;
      setImmediate(() => flush(db, state, ctx));
    } else if (!state.scheduled) {
      state.scheduled = true;
      state.timer = setTimeout(() => {
        state.timer = null;
        flush(db, state, ctx);
      }, GATHER_MS);
    }
  });
}

function flush(db: Db, state: LaneState, ctx: CoreContext): void {
  const batch = state.queue.splice(0, MAX_BATCH);
  // What queued during this commit is written right after it (setImmediate: after this turn's messages).
  if (state.queue.length > 0) setImmediate(() => flush(db, state, ctx));
  else state.scheduled = false;
  const outcomes: { q: Queued; outcome: WebhookOutcome }[] = [];
  try {
    const stored = db.transaction(() => storeBatch(db, batch)).immediate();
    for (const [i, q] of batch.entries()) outcomes.push({ q, outcome: stored[i]! });
  } catch {
    // One poisonous delivery must not fail its neighbours: store each on its own.
    for (const q of batch) {
      try {
        outcomes.push({ q, outcome: db.transaction(() => storeBatch(db, [q])[0]!).immediate() });
      } catch (err) {
        q.reject(err);
      }
    }
  }
  // Answered once the commit is on the disk; meanwhile the writer goes on with the next batch.
  walSynced(db).then(
    () => {
      for (const { q, outcome } of outcomes) q.resolve(outcome);
    },
    (err) => {
      for (const { q } of outcomes) q.reject(err);
    },
  );
  afterCommit(db, state, ctx);
}

function afterCommit(db: Db, state: LaneState, ctx: CoreContext): void {
  const now = Date.now();
  if (now - state.lastEmit > 500) {
    state.lastEmit = now;
    ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'messages' });
  }
  if (now - state.lastRetention > 60_000) {
    state.lastRetention = now;
    try {
      // A little at a time: deliveries keep being acknowledged while an old backlog is pruned.
      applyRetention(db, now, 2000);
    } catch {
      // retention retries next hour; a busy database must not fail deliveries
    }
  }
}

function storeBatch(db: Db, batch: Queued[]): WebhookOutcome[] {
  const outcomes: WebhookOutcome[] = new Array(batch.length);
  const items: Prepared[] = [];
  const itemIndex: number[] = [];
  const secrets = new Map<string, Buffer | null>();
  for (const [i, { args }] of batch.entries()) {
    if (!secrets.has(args.channel))
      secrets.set(args.channel, getChannel(db, args.channel)?.secret_hash ?? null);
    const expected = secrets.get(args.channel);
    // A channel removed since the route looked it up answers as a wrong secret does (see routes.ts).
    if (!expected || !hashesEqual(expected, Buffer.from(args.secretHash, 'hex'))) {
      outcomes[i] = { status: 401, message: 'Unknown channel or wrong channel secret' };
      continue;
    }
    if (args.prepared) {
      items.push({ ok: true, payload: args.prepared });
      itemIndex.push(i);
      continue;
    }
    const parsed = parseJsonText(args.body ?? '');
    if (!parsed.ok) {
      quarantine(db, args, parsed.error);
      outcomes[i] = { status: 400, message: parsed.error };
      continue;
    }
    items.push(
      preparePayload({
        body: parsed.value,
        origin: 'webhook',
        channel: args.channel,
        receivedAt: args.receivedAt,
      }),
    );
    itemIndex.push(i);
  }
  if (items.length > 0) {
    const result = storePrepared(db, items);
    const rejected = new Map(result.rejected.map((r) => [r.index, r.reason]));
    const partial = new Map(result.partial.map((r) => [r.index, r]));
    items.forEach((_, k) => {
      const i = itemIndex[k]!;
      const reason = rejected.get(k);
      const part = partial.get(k);
      if (reason !== undefined) {
        quarantine(db, batch[i]!.args, reason);
        outcomes[i] = { status: 400, message: reason };
      } else if (part) {
        // The readable part is stored: a 200 stops 360dialog's retries; the rest waits in the quarantine.
        quarantine(db, batch[i]!.args, `not stored: ${part.reason}`, part.body);
        outcomes[i] = { status: 200, message: `partly stored; quarantined: ${part.reason}` };
      } else outcomes[i] = { status: 200 };
    });
  }
  return outcomes;
}

function quarantine(db: Db, args: WebhookArgs, reason: string, body = args.body ?? ''): void {
  addToQuarantine(db, {
    origin: 'webhook',
    channel: args.channel,
    reason,
    contentType: args.contentType,
    body: Buffer.from(body, 'utf8'),
    receivedAt: args.receivedAt,
  });
}

export const EventArgs = z.object({
  keyHash: z.string().regex(/^[0-9a-f]{64}$/),
  clientId: z.string().max(200),
  event: z.unknown(),
  idempotencyKey: z.string().max(200).nullable(),
  receivedAt: z.number().int(),
});

/** POST /clients/{client_id}/external-events after the route found the key's workspace. */
export async function receiveExternalEvent(
  rawArgs: unknown,
  ctx: CoreContext,
): Promise<{ external_event_id: string; duplicate: boolean }> {
  const args = EventArgs.parse(rawArgs);
  const db = ctx.db();
  if (!authenticateKey(db, Buffer.from(args.keyHash, 'hex')))
    throw new ApiError('unauthorized', 'Unknown or revoked api_key');
  const event = parseExternalEvent(args.event);
  if (args.idempotencyKey) event.eventId = args.idempotencyKey;
  const [stored] = storeExternalEvents(db, [
    { event, options: { origin: 'webhook', clientId: args.clientId, receivedAt: args.receivedAt } },
  ]);
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'events' });
  await walSynced(db); // acknowledged durable, as webhooks are
  return { external_event_id: stored!.id, duplicate: stored!.duplicate };
}

export const LookupArgs = z.union([
  z.object({ channel: z.string().min(1).max(64) }),
  z.object({ keyHash: z.string().regex(/^[0-9a-f]{64}$/) }),
]);

/**
 * Which workspace of the data folder holds a channel or an API key (null: none); for a channel also the
 * hash of its secret, so the HTTP thread turns a wrong secret away before it reads the body.
 */
export function lookupReceiver(
  rawArgs: unknown,
  ctx: CoreContext,
): { workspace: string | null; secretHash?: string } {
  const args = LookupArgs.parse(rawArgs);
  if ('keyHash' in args) return { workspace: findKeyWorkspace(ctx, Buffer.from(args.keyHash, 'hex')) };
  const found = findChannel(ctx, args.channel);
  return found
    ? { workspace: found.workspace, secretHash: found.secretHash.toString('hex') }
    : { workspace: null };
}
