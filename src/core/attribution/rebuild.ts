import { randomUUID } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import type { Db } from '../db/open';
import { MESSAGE_COLUMNS, type MessageRow } from './classify';
import { appliedConfig, deleteState, getState, sameConfig, setState, wantedConfig } from './config';
import type { RebuildState } from './derive';
import { Engine } from './engine';
import { fillSummaries } from './fill-summaries';
import {
  activePrefix,
  blockTriggersDdl,
  createViews,
  derivedIndexesDdl,
  derivedTablesDdl,
  dropDerived,
  otherPrefix,
} from './tables';

export interface RebuildOptions {
  progress?: (fraction: number | null, detail?: string) => void;
  signal?: AbortSignal;
  /** Lets other work through between chunks (job lane). */
  yield?: () => Promise<void>;
  /** Threads per transaction. */
  chunk?: number;
  /** Checked once the rebuild has its turn: false skips it (another rebuild already did the work). */
  onlyIf?: () => boolean;
  /** How often to look again while another connection's rebuild runs (ms). */
  pollMs?: number;
}

/** A claimed rebuild that showed no progress for this long is taken to be dead (its phases are shorter). */
const STALE_MS = 120_000;

class TakenOver extends Error {
  constructor() {
    super('Another process took this rebuild over');
  }
}

type ThreadRow = MessageRow & { phone_number_id: string; contact_id: string };

export function rebuildNeeded(db: Db): boolean {
  return !sameConfig(appliedConfig(db, false), wantedConfig(db));
}

/**
 * Derives everything again with the current settings into the inactive table set, in chunks (ingestion
 * keeps writing to the live set meanwhile and marks what it touched), then redoes the touched threads and
 * swaps sets in one transaction. Reports read the old result until the swap.
 *
 * The set is bulk-loaded: threads go into bare tables, then the secondary indexes are built, external
 * events attributed (their lookups need the indexes), the summaries filled from the derived rows and the
 * block triggers created. Keeping every index and summary up to date row by row costs several times more.
 *
 * Resolves to the new set's conversation count, or null when `onlyIf` said it was no longer needed.
 */
export async function rebuildDerived(
  db: Db,
  opts: RebuildOptions = {},
): Promise<{ conversations: number } | null> {
  // One rebuild at a time per connection: the job lane runs handlers side by side (two settings changes
  // can each want one), and two would fill the same inactive set. Across connections (processes) the
  // rebuild state in attr_state is the claim (claimRebuild).
  const previous = running.get(db);
  const mine = (async () => {
    await previous?.catch(() => {});
    return rebuildNow(db, opts);
  })();
  running.set(db, mine);
  try {
    return await mine;
  } finally {
    if (running.get(db) === mine) running.delete(db);
  }
}

const running = new WeakMap<Db, Promise<unknown>>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type Owner = NonNullable<RebuildState['owner']>;

function claimedElsewhere(state: RebuildState | null, owner: Owner): boolean {
  if (!state?.owner || state.heartbeatAt === undefined) return false;
  if (state.owner.id === owner.id) return false;
  if (state.owner.pid !== process.pid && !pidAlive(state.owner.pid)) return false;
  return Date.now() - state.heartbeatAt < STALE_MS;
}

/**
 * Claims the inactive set for this rebuild and empties it, in one write transaction; while another
 * connection's rebuild is alive, waits for it (and then asks `onlyIf` again: it may have done the work).
 */
async function claimRebuild(db: Db, opts: RebuildOptions, owner: Owner): Promise<RebuildState | null> {
  for (;;) {
    const claimed = db
      .transaction((): RebuildState | null | 'busy' => {
        if (claimedElsewhere(getState<RebuildState>(db, 'rebuild'), owner)) return 'busy';
        if (opts.onlyIf && !opts.onlyIf()) return null;
        const now = Date.now();
        const state: RebuildState = {
          target: otherPrefix(activePrefix(db)),
          config: wantedConfig(db),
          startedAt: now,
          owner,
          heartbeatAt: now,
        };
        dropDerived(db, state.target);
        db.exec(derivedTablesDdl(state.target));
        db.exec('DELETE FROM attr_rebuild_dirty; DELETE FROM attr_rebuild_dirty_events;');
        setState(db, 'rebuild', state);
        return state;
      })
      .immediate();
    if (claimed !== 'busy') return claimed;
    if (opts.signal?.aborted) throw cancelled();
    opts.progress?.(null, 'Waiting for a rebuild another process is running');
    await new Promise((resolve) => setTimeout(resolve, opts.pollMs ?? 250));
  }
}

const cancelled = () => Object.assign(new Error('Rebuild cancelled'), { name: 'AbortError' });

/**
 * Releases a rebuild claimed by a worker thread of this process that the host has stopped (a job it had
 * to cut short): drops its half-filled inactive set and the claim. The active set was never touched.
 * Returns true when there was one.
 */
export function releaseStoppedRebuild(db: Db, stoppedThreads: readonly number[]): boolean {
  return db
    .transaction(() => {
      const state = getState<RebuildState>(db, 'rebuild');
      const owner = state?.owner;
      if (!state || owner?.pid !== process.pid || owner.thread === undefined) return false;
      if (!stoppedThreads.includes(owner.thread)) return false;
      dropDerived(db, state.target);
      deleteState(db, 'rebuild');
      return true;
    })
    .immediate();
}

async function rebuildNow(db: Db, opts: RebuildOptions): Promise<{ conversations: number } | null> {
  const chunk = opts.chunk ?? 2000;
  const owner: Owner = { pid: process.pid, id: randomUUID(), thread: threadId };
  const claimed = await claimRebuild(db, opts, owner);
  if (!claimed) return null;
  const { target, config } = claimed;
  /** Inside each of the rebuild's transactions: still ours (else stop), and alive. */
  const touch = () => {
    const state = getState<RebuildState>(db, 'rebuild');
    if (state?.owner?.id !== owner.id) throw new TakenOver();
    setState(db, 'rebuild', { ...state, heartbeatAt: Date.now() });
  };
  const engine = new Engine(db, target, config, 'bulk');
  const abandon = () => {
    db.transaction(() => {
      // A set another process has taken over is its own now.
      if (getState<RebuildState>(db, 'rebuild')?.owner?.id !== owner.id) return;
      dropDerived(db, target);
      deleteState(db, 'rebuild');
    }).immediate();
  };
  try {
    const estimate = Math.max(1, db.prepare('SELECT COUNT(*) FROM contacts').pluck().get() as number);
    const keysAfter = db.prepare(
      `SELECT phone_number_id AS phone, contact_id AS contact FROM messages
       WHERE (phone_number_id, contact_id) > (?, ?) GROUP BY phone_number_id, contact_id ORDER BY phone_number_id, contact_id LIMIT ?`,
    );
    const rowsBetween = db.prepare(
      `SELECT phone_number_id, contact_id, ${MESSAGE_COLUMNS} FROM messages
       WHERE (phone_number_id, contact_id) >= (?, ?) AND (phone_number_id, contact_id) <= (?, ?) AND direction = 'in'
       ORDER BY phone_number_id, contact_id, ts, id`,
    );
    let after: [string, string] = ['', ''];
    let done = 0;
    for (;;) {
      if (opts.signal?.aborted) throw cancelled();
      const more = db
        .transaction(() => {
          touch();
          engine.reset();
          const keys = keysAfter.all(after[0], after[1], chunk) as { phone: string; contact: string }[];
          if (keys.length === 0) return false;
          const first = keys[0]!;
          const last = keys.at(-1)!;
          const rows = rowsBetween.all(first.phone, first.contact, last.phone, last.contact) as ThreadRow[];
          let start = 0;
          for (let i = 1; i <= rows.length; i++) {
            const a = rows[start]!;
            const b = rows[i];
            if (b && b.phone_number_id === a.phone_number_id && b.contact_id === a.contact_id) continue;
            engine.rederiveThread(a.phone_number_id, a.contact_id, rows.slice(start, i));
            start = i;
          }
          engine.flush();
          after = [last.phone, last.contact];
          done += keys.length;
          return true;
        })
        .immediate();
      if (!more) break;
      opts.progress?.(Math.min(0.8, (0.8 * done) / estimate), `Re-deriving conversations: ${done} threads`);
      await opts.yield?.();
    }

    // One index per transaction: on a large workspace each takes seconds, and other processes'
    // writers (a receiver) wait for the write lock at most that long; the claim shows progress between.
    const indexes = derivedIndexesDdl(target)
      .split(';')
      .map((sql) => sql.trim())
      .filter(Boolean);
    for (const [i, sql] of indexes.entries()) {
      if (opts.signal?.aborted) throw cancelled();
      opts.progress?.(0.8 + (0.05 * i) / indexes.length, 'Indexing conversations');
      db.transaction(() => {
        touch();
        db.exec(sql);
      }).immediate();
      await opts.yield?.();
    }

    let afterEvent = '';
    const eventsAfter = db.prepare('SELECT id FROM external_events WHERE id > ? ORDER BY id LIMIT ?').pluck();
    for (;;) {
      if (opts.signal?.aborted) throw cancelled();
      const more = db
        .transaction(() => {
          touch();
          engine.reset();
          const ids = eventsAfter.all(afterEvent, chunk * 5) as string[];
          for (const id of ids) engine.attributeExternal(id);
          engine.flush();
          if (ids.length > 0) afterEvent = ids.at(-1)!;
          return ids.length > 0;
        })
        .immediate();
      if (!more) break;
      opts.progress?.(0.9, 'Attributing external events');
      await opts.yield?.();
    }

    opts.progress?.(0.95, 'Summing up');
    db.transaction(() => {
      touch();
      fillSummaries(db, target);
      db.exec(blockTriggersDdl(target));
      setState(db, 'rebuild', { ...getState<RebuildState>(db, 'rebuild')!, summaries: true });
    }).immediate();
    await opts.yield?.();

    // Threads that live ingestion touched meanwhile are redone with summary deltas, as live derivation does.
    const live = new Engine(db, target, config);
    return db
      .transaction(() => {
        touch();
        const dirty = db.prepare('SELECT phone, contact FROM attr_rebuild_dirty').all() as {
          phone: string;
          contact: string;
        }[];
        for (const t of dirty) live.rederiveThread(t.phone, t.contact);
        for (const id of db
          .prepare('SELECT event_id FROM attr_rebuild_dirty_events')
          .pluck()
          .all() as string[])
          live.queueExternal(id);
        live.flush();
        const old = activePrefix(db);
        setState(db, 'active', target);
        setState(db, 'config', config);
        deleteState(db, 'rebuild');
        db.exec('DELETE FROM attr_rebuild_dirty; DELETE FROM attr_rebuild_dirty_events;');
        createViews(db, target);
        dropDerived(db, old);
        opts.progress?.(1, 'Rebuild complete');
        return {
          conversations: db.prepare(`SELECT COUNT(*) FROM ${target}conversations`).pluck().get() as number,
        };
      })
      .immediate();
  } catch (err) {
    abandon();
    throw err;
  }
}
