import type Database from 'better-sqlite3';
import type { Db } from '../db/open';
import { cachedStatement } from '../db/statements';
import {
  type EventInfo,
  externalEventOf,
  hasReferral,
  isCounting,
  MESSAGE_COLUMNS,
  type MessageRow,
  messagingEventOf,
  type SourceInfo,
  sourceOf,
} from './classify';
import type { DerivationConfig } from './config';
import { DayKeyer } from './days';
import { type Feeds, SUMMARIES, type Summary } from './derived-cache';
import { decideExternal } from './external-attribution';
import { type Prefix, setObjects } from './tables';

// The derivation engine: writes one table set (live or a rebuild's shadow) from the raw tables.
// Live changes append to a thread when they can (the common case: a new message after the last one) and
// otherwise re-derive only that (number, contact) thread. Summary deltas are collected in memory and
// written by flush(), so a batch that removes and re-adds the same rows writes nothing.

export interface ConvRow {
  id: number;
  phone: string;
  contact: string;
  start_ts: number;
  first_message_id: string;
  last_ts: number;
  last_message_id: string;
  messages: number;
  source: number;
  day: number;
  prev_day: number;
  prev_src_day: number;
}

/** An external event as attribution reads it (also the unattributed-events list). */
export interface ExternalRow {
  id: string;
  event_id: string | null;
  action: string;
  contact_id: string;
  ts: number;
  revenue_amount: number | null;
  revenue_currency: string | null;
  app_id: string | null;
  previous_external_event_id: string | null;
}

export const EXTERNAL_COLUMNS =
  'id, event_id, action, contact_id, ts, revenue_amount, revenue_currency, app_id, previous_external_event_id';

/** Revenue is kept in millionths so that sums do not depend on the order rows were added. */
export const MICRO = 1_000_000;

type Stmt = Database.Statement;

export class Engine {
  readonly days: DayKeyer;
  private readonly sources = new Map<string, { id: number; nameTs: number | null; nameMsg: string | null }>();
  private readonly eventIds = new Map<string, number>();
  // Facts known since reset(), so appends skip lookups whose answer is certain (a new source has no
  // earlier conversation; a new conversation has no conv_events row until this engine inserts one).
  // Forgetting them is always safe: the lookup runs instead.
  private readonly unusedNewSources = new Set<number>();
  private readonly newConvEvents = new Map<number, Set<number>>();
  private readonly templates = new Map<string, string | null>();
  /** This set's summaries by what feeds them. */
  private readonly summaries: Record<keyof Feeds, [string, Summary][]> = {
    conversation: [],
    lead: [],
    revenue: [],
  };
  /** Summary deltas per summary table, by key (its key values joined by \u0001). */
  private readonly sums = new Map<string, Map<string, number[]>>(
    Object.keys(SUMMARIES).map((table) => [table, new Map()]),
  );
  /** External events whose attribution must be recomputed before flush (their conversation changed). */
  private readonly pendingExternal = new Set<string>();

  /**
   * `bulk`: a rebuild's load into an empty table set. Threads are derived once each, so nothing needs
   * removing first, and summaries are not collected: the rebuild fills them from the derived rows at the
   * end (fillSummaries), which is cheaper than a delta per row.
   */
  constructor(
    readonly db: Db,
    readonly p: Prefix,
    readonly config: DerivationConfig,
    readonly mode: 'live' | 'bulk' = 'live',
  ) {
    this.days = new DayKeyer(config.timezone);
    // The declared summaries this set has: one made from an older declaration, still live while a
    // rebuild makes its successor, lacks the newer ones (derived-cache.ts, DERIVED_CACHE_VERSION).
    const has = new Set(setObjects(db, p).map((o) => o.name));
    for (const entry of Object.entries(SUMMARIES) as [string, Summary][])
      if (has.has(`${p}${entry[0]}`)) this.summaries[entry[1].feed].push(entry);
  }

  /** Forgets cached ids between transactions (rows may have been deleted or added by others meanwhile). */
  reset(): void {
    this.sources.clear();
    this.eventIds.clear();
    this.templates.clear();
    this.unusedNewSources.clear();
    this.newConvEvents.clear();
  }

  /** SQL with `$` replaced by this set's prefix, per template: the replacing showed in derivation profiles. */
  private readonly prefixed = new Map<string, string>();

  /** A statement of this table set (`$` stands for its prefix). */
  private st(sql: string): Stmt {
    let text = this.prefixed.get(sql);
    if (text === undefined) {
      text = sql.replaceAll('$', this.p);
      this.prefixed.set(sql, text);
    }
    return cachedStatement(this.db, text);
  }

  // ---- dictionaries -------------------------------------------------------------------------------

  sourceId(info: SourceInfo, nameTs: number, nameMsg: string): number {
    let src = this.sources.get(info.key);
    if (!src) {
      const row = this.st('SELECT id, name_ts, name_msg FROM $sources WHERE key = ?').get(info.key) as
        | { id: number; name_ts: number | null; name_msg: string | null }
        | undefined;
      if (!row) {
        const named = info.name !== null;
        const id = Number(
          this.st('INSERT INTO $sources (key, kind, name, name_ts, name_msg) VALUES (?, ?, ?, ?, ?)').run(
            info.key,
            info.kind,
            info.name,
            named ? nameTs : null,
            named ? nameMsg : null,
          ).lastInsertRowid,
        );
        this.sources.set(info.key, { id, nameTs: named ? nameTs : null, nameMsg: named ? nameMsg : null });
        this.unusedNewSources.add(id);
        return id;
      }
      src = { id: row.id, nameTs: row.name_ts, nameMsg: row.name_msg };
      this.sources.set(info.key, src);
    }
    // The earliest message that carries a name names the source, whatever order messages arrive in.
    if (
      info.name !== null &&
      (src.nameTs === null || nameTs < src.nameTs || (nameTs === src.nameTs && nameMsg < src.nameMsg!))
    ) {
      this.st('UPDATE $sources SET name = ?, name_ts = ?, name_msg = ? WHERE id = ?').run(
        info.name,
        nameTs,
        nameMsg,
        src.id,
      );
      src.nameTs = nameTs;
      src.nameMsg = nameMsg;
    }
    return src.id;
  }

  eventId(info: EventInfo): number {
    const cached = this.eventIds.get(info.key);
    if (cached !== undefined) return cached;
    const row = this.st('SELECT id FROM $events WHERE key = ?').pluck().get(info.key) as number | undefined;
    const id =
      row ??
      Number(
        this.st('INSERT INTO $events (key, kind, label) VALUES (?, ?, ?)').run(
          info.key,
          info.kind,
          info.label,
        ).lastInsertRowid,
      );
    this.eventIds.set(info.key, id);
    return id;
  }

  private templateOf = (outgoingId: string): string | null => {
    if (!this.templates.has(outgoingId)) {
      const t = this.st('SELECT template_name FROM outgoing_messages WHERE id = ?').pluck().get(outgoingId) as
        | string
        | null
        | undefined;
      this.templates.set(outgoingId, t ?? null);
    }
    return this.templates.get(outgoingId)!;
  };

  // ---- summaries ----------------------------------------------------------------------------------

  private bump(map: Map<string, number[]>, key: string, deltas: number[]): void {
    const cur = map.get(key);
    if (!cur) map.set(key, deltas.slice());
    else for (let i = 0; i < deltas.length; i++) cur[i]! += deltas[i]!;
  }

  /** Adds a change to every summary of this set the declaration feeds from it (derived-cache.ts). */
  private count<F extends keyof Feeds>(feed: F, d: Feeds[F]): void {
    if (this.mode === 'bulk') return;
    for (const [table, s] of this.summaries[feed]) {
      const row = (s.delta as (d: Feeds[F]) => (string | number)[] | null)(d);
      if (row)
        this.bump(
          this.sums.get(table)!,
          row.slice(0, s.keys.length).join('\u0001'),
          row.slice(s.keys.length) as number[],
        );
    }
  }

  private countConversation(c: ConvRow, sign: 1 | -1): void {
    this.count('conversation', { c, sign });
  }

  private countLead(c: ConvRow, event: number, leads: number, occ: number): void {
    this.count('lead', { c, event, leads, occ });
  }

  private countRevenue(c: ConvRow, event: number, currency: string, amount: number): void {
    this.count('revenue', { c, event, currency, amount });
  }

  /** Writes collected summary deltas. */
  flush(): void {
    for (const id of [...this.pendingExternal]) {
      this.pendingExternal.delete(id);
      this.attributeExternal(id);
    }
    const apply = (
      map: Map<string, number[]>,
      table: string,
      keyCols: readonly string[],
      valCols: readonly string[],
      ints: readonly boolean[],
    ) => {
      if (map.size === 0) return;
      // One statement per table for the whole batch (rows passed as JSON): per-row statements cost
      // more in calls than SQLite spends on the rows.
      const rows: (string | number)[][] = [];
      const mayEmpty: (string | number)[][] = [];
      for (const [key, deltas] of map) {
        if (deltas.every((d) => d === 0)) continue;
        const parts = key.split('\u0001').map((v, i) => (ints[i] ? Number(v) : v));
        rows.push([...parts, ...deltas]);
        // Counts never go below zero, so only a row whose first count did not grow can reach zero.
        if (deltas[0]! <= 0) mayEmpty.push(parts);
      }
      map.clear();
      if (rows.length === 0) return;
      const cols = [...keyCols, ...valCols];
      this.st(
        `INSERT INTO $${table} (${cols.join(', ')})
         SELECT ${cols.map((_, i) => `value ->> ${i}`).join(', ')} FROM json_each(?) WHERE true
         ON CONFLICT DO UPDATE SET ${valCols.map((v) => `${v} = ${v} + excluded.${v}`).join(', ')}`,
      ).run(JSON.stringify(rows));
      if (mayEmpty.length > 0) {
        // Rows that reach zero are deleted so the tables stay small.
        this.st(
          `DELETE FROM $${table} WHERE ${valCols[0]} = 0 AND (${keyCols.join(', ')}) IN
           (SELECT ${keyCols.map((_, i) => `value ->> ${i}`).join(', ')} FROM json_each(?))`,
        ).run(JSON.stringify(mayEmpty));
      }
    };
    for (const [table, s] of Object.values(this.summaries).flat())
      apply(
        this.sums.get(table)!,
        table,
        s.keys.map(([name]) => name),
        s.values,
        s.keys.map(([, type]) => type === 'INTEGER'),
      );
  }

  // ---- conversations ------------------------------------------------------------------------------

  private insertConversation(
    phone: string,
    contact: string,
    first: MessageRow,
    source: number,
    prevDay: number,
    prevSrcDay: number,
  ): ConvRow {
    const c: ConvRow = {
      id: 0,
      phone,
      contact,
      start_ts: first.ts,
      first_message_id: first.id,
      last_ts: first.ts,
      last_message_id: first.id,
      messages: 1,
      source,
      day: this.days.dayOf(first.ts),
      prev_day: prevDay,
      prev_src_day: prevSrcDay,
    };
    this.unusedNewSources.delete(source);
    c.id = Number(
      this.st(
        `INSERT INTO $conversations (phone, contact, start_ts, first_message_id, last_ts, last_message_id, messages, source, day, prev_day, prev_src_day)
         VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
      ).run(
        phone,
        contact,
        c.start_ts,
        c.first_message_id,
        c.last_ts,
        c.last_message_id,
        source,
        c.day,
        prevDay,
        prevSrcDay,
      ).lastInsertRowid,
    );
    this.newConvEvents.set(c.id, new Set());
    this.countConversation(c, 1);
    return c;
  }

  private newConversation(
    phone: string,
    contact: string,
    m: MessageRow,
    prev: ConvRow | undefined,
    prevSrcDay: (source: number) => number,
  ): ConvRow {
    const info = sourceOf(m, this.config.keywords, this.templateOf);
    const source = this.sourceId(info, m.ts, m.id);
    return this.insertConversation(phone, contact, m, source, prev?.day ?? -1, prevSrcDay(source));
  }

  private addMessageEvents(c: ConvRow, m: MessageRow): void {
    const ev = messagingEventOf(m, this.templateOf);
    if (ev) this.addOccurrence(c, this.eventId(ev), m.ts, m.id, null, null);
  }

  private removeConversation(c: ConvRow): void {
    const ces = this.st('SELECT event, occurrences FROM $conv_events WHERE conv = ?').all(c.id) as {
      event: number;
      occurrences: number;
    }[];
    for (const ce of ces) this.countLead(c, ce.event, -1, -ce.occurrences);
    const revs = this.st(
      'SELECT event, currency, SUM(amount) AS amount FROM $occurrences WHERE conv = ? AND amount IS NOT NULL GROUP BY event, currency',
    ).all(c.id) as { event: number; currency: string; amount: number }[];
    for (const r of revs) this.countRevenue(c, r.event, r.currency, -r.amount);
    this.st('DELETE FROM $occurrences WHERE conv = ?').run(c.id);
    this.st('DELETE FROM $conv_events WHERE conv = ?').run(c.id);
    const exts = this.st('SELECT event_id FROM $external WHERE conv = ?').pluck().all(c.id) as string[];
    if (exts.length > 0) this.st('UPDATE $external SET conv = NULL WHERE conv = ?').run(c.id);
    for (const e of exts) this.pendingExternal.add(e);
    this.countConversation(c, -1);
    this.st('DELETE FROM $conversations WHERE id = ?').run(c.id);
    this.newConvEvents.delete(c.id);
  }

  private threadConversations(phone: string, contact: string): ConvRow[] {
    return this.st(
      'SELECT * FROM $conversations WHERE phone = ? AND contact = ? ORDER BY start_ts, first_message_id',
    ).all(phone, contact) as ConvRow[];
  }

  /** Drops and re-derives every conversation of one (number, contact) thread from its stored messages. */
  rederiveThread(phone: string, contact: string, messages?: MessageRow[]): void {
    if (this.mode === 'live')
      for (const c of this.threadConversations(phone, contact)) this.removeConversation(c);
    const msgs =
      messages ??
      (this.st(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE phone_number_id = ? AND contact_id = ? AND direction = 'in' ORDER BY ts, id`,
      ).all(phone, contact) as MessageRow[]);
    let cur: ConvRow | undefined;
    const lastDayOfSource = new Map<number, number>();
    const prevSrcDay = (s: number) => lastDayOfSource.get(s) ?? -1;
    let earliest: number | undefined;
    for (const m of msgs) {
      if (!isCounting(m)) continue;
      if (!cur || hasReferral(m) || m.ts - cur.last_ts > this.config.windowSeconds) {
        if (cur) this.saveExtent(cur);
        cur = this.newConversation(phone, contact, m, cur, prevSrcDay);
        lastDayOfSource.set(cur.source, cur.day);
        earliest ??= cur.start_ts;
      } else {
        cur.last_ts = m.ts;
        cur.last_message_id = m.id;
        cur.messages++;
      }
      this.addMessageEvents(cur, m);
    }
    if (cur) this.saveExtent(cur);
    if (earliest !== undefined && !messages) this.reattributeContact(contact, earliest);
  }

  private saveExtent(c: ConvRow): void {
    if (c.messages > 1) this.storeExtent(c);
  }

  private storeExtent(c: ConvRow): void {
    this.st('UPDATE $conversations SET last_ts = ?, last_message_id = ?, messages = ? WHERE id = ?').run(
      c.last_ts,
      c.last_message_id,
      c.messages,
      c.id,
    );
  }

  /** The thread's latest conversation by (start_ts, first_message_id). */
  private lastConversation(phone: string, contact: string): ConvRow | undefined {
    // MAX(start_ts) is one index seek; ordering by both columns would sort (the index ends at start_ts).
    const latest = this.st(
      `SELECT * FROM $conversations WHERE phone = ? AND contact = ?
         AND start_ts = (SELECT MAX(start_ts) FROM $conversations WHERE phone = ? AND contact = ?)`,
    ).all(phone, contact, phone, contact) as ConvRow[];
    let last = latest[0];
    for (const c of latest) if (c.first_message_id > last!.first_message_id) last = c;
    return last;
  }

  /** New counting messages of one thread, sorted by (ts, id): appended when they all come after the last one. */
  appendToThread(phone: string, contact: string, msgs: MessageRow[]): void {
    const last = this.lastConversation(phone, contact);
    const first = msgs[0]!;
    if (
      last &&
      (first.ts < last.last_ts || (first.ts === last.last_ts && first.id <= last.last_message_id))
    ) {
      this.rederiveThread(phone, contact);
      return;
    }
    let cur = last;
    let extended = false; // cur's extent changed since it was stored
    const prevSrcDay = (source: number) =>
      this.unusedNewSources.has(source)
        ? -1
        : ((this.st(
            'SELECT day FROM $conversations WHERE phone = ? AND contact = ? AND source = ? ORDER BY start_ts DESC LIMIT 1',
          )
            .pluck()
            .get(phone, contact, source) as number | undefined) ?? -1);
    for (const m of msgs) {
      if (!cur || hasReferral(m) || m.ts - cur.last_ts > this.config.windowSeconds) {
        if (cur && extended) this.storeExtent(cur);
        extended = false;
        cur = this.newConversation(phone, contact, m, cur, prevSrcDay);
        // An external event stored before this conversation's messages may belong to it now.
        this.reattributeContact(contact, m.ts);
      } else {
        cur.last_ts = m.ts;
        cur.last_message_id = m.id;
        cur.messages++;
        extended = true;
      }
      this.addMessageEvents(cur, m);
    }
    if (cur && extended) this.storeExtent(cur);
  }

  // ---- occurrences --------------------------------------------------------------------------------

  private addOccurrence(
    c: ConvRow,
    event: number,
    ts: number,
    ref: string,
    amount: number | null,
    currency: string | null,
  ): void {
    const r = this.st(
      'INSERT OR IGNORE INTO $occurrences (conv, event, ts, ref, amount, currency) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(c.id, event, ts, ref, amount, currency);
    if (r.changes === 0) return;
    const delay = ts >= c.start_ts ? ts - c.start_ts : null;
    const known = this.newConvEvents.get(c.id);
    const ce =
      known && !known.has(event)
        ? undefined
        : (this.st('SELECT first_delay, occurrences FROM $conv_events WHERE conv = ? AND event = ?').get(
            c.id,
            event,
          ) as { first_delay: number | null; occurrences: number } | undefined);
    if (!ce) {
      this.st(
        'INSERT INTO $conv_events (conv, event, phone, day, source, first_delay, occurrences) VALUES (?, ?, ?, ?, ?, ?, 1)',
      ).run(c.id, event, c.phone, c.day, c.source, delay);
      known?.add(event);
      this.countLead(c, event, 1, 1);
    } else {
      const fd =
        delay === null ? ce.first_delay : ce.first_delay === null ? delay : Math.min(delay, ce.first_delay);
      this.st(
        'UPDATE $conv_events SET first_delay = ?, occurrences = occurrences + 1 WHERE conv = ? AND event = ?',
      ).run(fd, c.id, event);
      this.countLead(c, event, 0, 1);
    }
    if (amount !== null && currency !== null) this.countRevenue(c, event, currency, amount);
  }

  private removeOccurrence(c: ConvRow, event: number, ts: number, ref: string): void {
    const occ = this.st(
      'SELECT amount, currency FROM $occurrences WHERE conv = ? AND event = ? AND ts = ? AND ref = ?',
    ).get(c.id, event, ts, ref) as { amount: number | null; currency: string | null } | undefined;
    if (!occ) return;
    this.st('DELETE FROM $occurrences WHERE conv = ? AND event = ? AND ts = ? AND ref = ?').run(
      c.id,
      event,
      ts,
      ref,
    );
    const ce = this.st('SELECT occurrences FROM $conv_events WHERE conv = ? AND event = ?')
      .pluck()
      .get(c.id, event) as number;
    if (ce <= 1) {
      this.st('DELETE FROM $conv_events WHERE conv = ? AND event = ?').run(c.id, event);
      this.countLead(c, event, -1, -1);
    } else {
      const min = this.st('SELECT MIN(ts) FROM $occurrences WHERE conv = ? AND event = ? AND ts >= ?')
        .pluck()
        .get(c.id, event, c.start_ts) as number | null;
      this.st(
        'UPDATE $conv_events SET first_delay = ?, occurrences = occurrences - 1 WHERE conv = ? AND event = ?',
      ).run(min === null ? null : min - c.start_ts, c.id, event);
      this.countLead(c, event, 0, -1);
    }
    if (occ.amount !== null && occ.currency !== null) this.countRevenue(c, event, occ.currency, -occ.amount);
  }

  // ---- external events ----------------------------------------------------------------------------

  private conv(id: number): ConvRow | undefined {
    return this.st('SELECT * FROM $conversations WHERE id = ?').get(id) as ConvRow | undefined;
  }

  /** Re-attributes the contact's external events at or after `fromTs` (a conversation appeared or changed). */
  reattributeContact(contact: string, fromTs: number): void {
    const ids = this.st('SELECT id FROM external_events WHERE contact_id = ? AND ts >= ?')
      .pluck()
      .all(contact, fromTs) as string[];
    for (const id of ids) this.pendingExternal.add(id);
  }

  queueExternal(id: string): void {
    this.pendingExternal.add(id);
  }

  private targetOf(e: ExternalRow): number | null {
    return decideExternal(this.db, this.p, this.config.attributionSeconds, e).conv;
  }

  /** (Re)computes one external event's conversation, then that of events chained to it. */
  attributeExternal(id: string, seen = new Set<string>()): void {
    if (seen.has(id)) return;
    seen.add(id);
    const e = this.st(`SELECT ${EXTERNAL_COLUMNS} FROM external_events WHERE id = ?`).get(id) as
      | ExternalRow
      | undefined;
    const current = this.st('SELECT conv FROM $external WHERE event_id = ?').get(id) as
      | { conv: number | null }
      | undefined;
    if (!e) {
      // The raw event is gone (erased): drop its occurrence wherever it was attributed.
      this.detachExternal(id);
      return;
    }
    const target = this.targetOf(e);
    if (current && current.conv === target) return;
    const ev = this.eventId(externalEventOf(e.action));
    if (current?.conv != null) {
      const old = this.conv(current.conv);
      if (old) this.removeOccurrence(old, ev, e.ts, e.id);
    }
    this.st(
      `INSERT INTO $external (event_id, conv, ts, action, app_id) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(event_id) DO UPDATE SET conv = excluded.conv`,
    ).run(id, target, e.ts, e.action.trim(), e.app_id);
    if (target !== null) {
      const c = this.conv(target)!;
      const amount = e.revenue_amount === null ? null : Math.round(e.revenue_amount * MICRO);
      this.addOccurrence(
        c,
        ev,
        e.ts,
        e.id,
        amount,
        amount === null ? null : (e.revenue_currency ?? 'USD').toUpperCase(),
      );
    }
    const dependents = this.st('SELECT id FROM external_events WHERE previous_external_event_id IN (?, ?)')
      .pluck()
      .all(e.id, e.event_id ?? e.id) as string[];
    for (const d of dependents) this.attributeExternal(d, seen);
  }

  /** Removes every conversation of a contact (all numbers) with its occurrences and summaries. */
  eraseContact(contact: string): void {
    const convs = this.st('SELECT * FROM $conversations WHERE contact = ?').all(contact) as ConvRow[];
    for (const c of convs) this.removeConversation(c);
    const own = this.st('SELECT id FROM external_events WHERE contact_id = ?')
      .pluck()
      .all(contact) as string[];
    // Events whose raw row was already deleted (erase deletes raw rows first) are found as orphans.
    const orphans = this.st(
      'SELECT x.event_id FROM $external x LEFT JOIN external_events e ON e.id = x.event_id WHERE e.id IS NULL',
    )
      .pluck()
      .all() as string[];
    for (const id of [...own, ...orphans]) {
      this.pendingExternal.delete(id);
      this.detachExternal(id);
    }
  }

  /** Removes an external event's attribution and occurrence. */
  private detachExternal(id: string): void {
    const conv = this.st('SELECT conv FROM $external WHERE event_id = ?').pluck().get(id) as
      | number
      | null
      | undefined;
    if (conv !== null && conv !== undefined) {
      const c = this.conv(conv);
      const occ = this.st('SELECT event, ts FROM $occurrences WHERE conv = ? AND ref = ?').all(conv, id) as {
        event: number;
        ts: number;
      }[];
      for (const o of occ) if (c) this.removeOccurrence(c, o.event, o.ts, id);
    }
    this.st('DELETE FROM $external WHERE event_id = ?').run(id);
  }
}
