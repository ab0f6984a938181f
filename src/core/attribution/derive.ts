import type Database from 'better-sqlite3';
import type { Db } from '../db/open';
import { isCounting, MESSAGE_COLUMNS, type MessageRow } from './classify';
import { appliedConfig, type DerivationConfig, getState, sameConfig } from './config';
import { Engine } from './engine';
import { activePrefix, type Prefix } from './tables';

export interface DerivationChanges {
  /** ids of inbound/outbound messages inserted by this transaction */
  messageIds: string[];
  /**
   * Inbound messages of `messageIds` as this transaction stored them (the columns derivation reads),
   * so they need not be read back; ids without a row here are read from the table.
   */
  inserted?: ThreadRow[];
  /** ids (our external_event_id) of external events inserted by this transaction */
  externalEventIds: string[];
  /** ids of outgoing_messages inserted or updated by this transaction (they name `tpl:` sources) */
  outgoingIds: string[];
}

export interface RebuildState {
  target: Prefix;
  config: DerivationConfig;
  startedAt: number;
  /**
   * The rebuild that fills the target: its process and a random id, and when it last showed progress.
   * Another connection (the app and a CLI on one data folder) waits for it instead of filling the same
   * set; a state whose process is gone or that stopped showing progress is taken over (rebuild.ts).
   * Absent in states written before rebuilds were claimed: those are taken over.
   */
  /** `thread`: the worker thread's id (worker_threads.threadId), so a host can release a thread it stopped. */
  owner?: { pid: number; id: string; thread?: number };
  heartbeatAt?: number;
  /**
   * Set once the target's summaries are filled (fillSummaries). Before that the target is being loaded:
   * engines writing to it run in bulk mode, without summary deltas.
   */
  summaries?: boolean;
}

const engines = new WeakMap<Db, Engine>();
const statements = new WeakMap<Db, { byId: Database.Statement<[string], ThreadRow> }>();

/** One engine per connection and table set, so prepared statements survive between deliveries. */
export function engineFor(db: Db, p: Prefix, config: DerivationConfig): Engine {
  let e = engines.get(db);
  if (!e || e.p !== p || !sameConfig(e.config, config)) {
    e = new Engine(db, p, config);
    engines.set(db, e);
  }
  e.reset();
  return e;
}

export type ThreadRow = MessageRow & { phone_number_id: string; contact_id: string; direction: string };

/**
 * Brings the derived tables up to date with rows a transaction just stored. Must run inside that
 * transaction (ingestion calls it before commit). A message after the thread's last one is appended;
 * anything older re-derives that (number, contact) thread only. Never a full rebuild.
 */
export function deriveChanges(db: Db, changes: DerivationChanges): void {
  const engine = engineFor(db, activePrefix(db), appliedConfig(db));
  const threads = new Map<string, { phone: string; contact: string; msgs: MessageRow[] }>();
  let st = statements.get(db);
  if (!st) {
    st = {
      byId: db.prepare(
        `SELECT phone_number_id, contact_id, direction, ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`,
      ),
    };
    statements.set(db, st);
  }
  const given = new Map((changes.inserted ?? []).map((m) => [m.id, m]));
  for (const id of new Set(changes.messageIds)) {
    const m = given.get(id) ?? st.byId.get(id);
    if (m?.direction !== 'in' || !isCounting(m)) continue;
    const key = `${m.phone_number_id}\u0001${m.contact_id}`;
    const t = threads.get(key) ?? { phone: m.phone_number_id, contact: m.contact_id, msgs: [] };
    threads.set(key, t);
    t.msgs.push(m);
  }
  for (const t of threads.values()) {
    t.msgs.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    engine.appendToThread(t.phone, t.contact, t.msgs);
  }

  // A send log or send-proxy record arriving after the reply renames `reply:` to `tpl:`: redo those threads.
  const replies = db.prepare(
    `SELECT DISTINCT phone_number_id AS phone, contact_id AS contact FROM messages WHERE context_id = ? AND direction = 'in'`,
  );
  const redo = new Map<string, { phone: string; contact: string }>();
  for (const id of new Set(changes.outgoingIds)) {
    for (const r of replies.all(id) as { phone: string; contact: string }[])
      redo.set(`${r.phone}\u0001${r.contact}`, r);
  }
  for (const [key, r] of redo) {
    if (!threads.has(key)) engine.rederiveThread(r.phone, r.contact);
  }

  for (const id of new Set(changes.externalEventIds)) engine.queueExternal(id);
  engine.flush();

  if (getState<RebuildState>(db, 'rebuild')) {
    const mark = db.prepare('INSERT OR IGNORE INTO attr_rebuild_dirty (phone, contact) VALUES (?, ?)');
    for (const t of threads.values()) mark.run(t.phone, t.contact);
    for (const r of redo.values()) mark.run(r.phone, r.contact);
    const markEvent = db.prepare('INSERT OR IGNORE INTO attr_rebuild_dirty_events (event_id) VALUES (?)');
    for (const id of changes.externalEventIds) markEvent.run(id);
  }
}
