import {
  hasReferral,
  isCounting,
  MESSAGE_COLUMNS,
  type MessageRow,
  messagingEventOf,
  sourceOf,
} from '../classify';
import { lookbackSecondsOf } from '../config';
import { ExternalEvents } from './external-events';
import type { ConvRow } from './rows';
import { isPaidKind, type ModelColumns, modelSourcesOf, ThreadTouches, type Touch } from './touches';

/** How a derivation finds a new conversation's model sources (in memory, or from the stored thread). */
type ModelsOf = (own: Touch, day: number) => ModelColumns;

// Conversations: a (number, contact) thread's counting messages cut into conversations, appended to or
// re-derived one thread at a time (engine.ts says when). The top layer: it uses every section below.

export abstract class Conversations extends ExternalEvents {
  private insertConversation(
    phone: string,
    contact: string,
    first: MessageRow,
    source: number,
    prevDay: number,
    prevSrcDay: number,
    models: ModelsOf,
  ): ConvRow {
    const day = this.days.dayOf(first.ts);
    const m = models({ start: first.ts, source, paid: isPaidKind(this.sourceKind(source)) }, day);
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
      day,
      prev_day: prevDay,
      prev_src_day: prevSrcDay,
      ...m,
    };
    this.unusedNewSources.delete(source);
    const args = [
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
    ];
    // A set made before the models (DERIVED_CACHE_VERSION 1) is still live until its rebuild: no model columns.
    c.id = Number(
      (this.hasModels()
        ? this.st(
            `INSERT INTO $conversations (phone, contact, start_ts, first_message_id, last_ts, last_message_id, messages, source, day, prev_day, prev_src_day, ft_source, ft_prev_day, lpt_source, lpt_prev_day)
             VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(...args, m.ft_source, m.ft_prev_day, m.lpt_source, m.lpt_prev_day)
        : this.st(
            `INSERT INTO $conversations (phone, contact, start_ts, first_message_id, last_ts, last_message_id, messages, source, day, prev_day, prev_src_day)
             VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
          ).run(...args)
      ).lastInsertRowid,
    );
    this.newConvEvents.set(c.id, new Set());
    this.countConversation(c, 1);
    return c;
  }

  private modelColumnsKnown: boolean | undefined;

  /** Whether this set's conversations have the model columns (ft_source …). */
  private hasModels(): boolean {
    this.modelColumnsKnown ??= (
      this.db.pragma(`table_info("${this.p}conversations")`) as { name: string }[]
    ).some((c) => c.name === 'ft_source');
    return this.modelColumnsKnown;
  }

  private get lookback(): number {
    return lookbackSecondsOf(this.config);
  }

  /** Model sources of a conversation appended after the thread's stored ones, read from them. */
  private storedModels(phone: string, contact: string): ModelsOf {
    return (own) => {
      const earlier = (
        this.st(
          `SELECT c.start_ts, c.source, s.kind FROM $conversations c JOIN $sources s ON s.id = c.source
           WHERE c.phone = ? AND c.contact = ? AND c.start_ts >= ? ORDER BY c.start_ts, c.first_message_id`,
        )
          .raw()
          .all(phone, contact, own.start - this.lookback) as [number, number, string][]
      ).map(([start, source, kind]) => ({ start, source, paid: isPaidKind(kind) }));
      const { ft, lpt } = modelSourcesOf(earlier, own, this.lookback);
      const prevOf = (col: 'ft_source' | 'lpt_source', s: number) =>
        !this.hasModels()
          ? -1
          : ((this.st(
              `SELECT day FROM $conversations WHERE phone = ? AND contact = ? AND ${col} = ? ORDER BY start_ts DESC LIMIT 1`,
            )
              .pluck()
              .get(phone, contact, s) as number | undefined) ?? -1);
      return {
        ft_source: ft,
        ft_prev_day: prevOf('ft_source', ft),
        lpt_source: lpt,
        lpt_prev_day: prevOf('lpt_source', lpt),
      };
    };
  }

  private newConversation(
    phone: string,
    contact: string,
    m: MessageRow,
    prev: ConvRow | undefined,
    prevSrcDay: (source: number) => number,
    models: ModelsOf,
  ): ConvRow {
    const info = sourceOf(m, this.config.keywords, this.templateOf);
    const source = this.sourceId(info, m.ts, m.id);
    return this.insertConversation(phone, contact, m, source, prev?.day ?? -1, prevSrcDay(source), models);
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
    const touches = new ThreadTouches();
    const models: ModelsOf = (own, day) => touches.next(own, day, this.lookback);
    let earliest: number | undefined;
    for (const m of msgs) {
      if (!isCounting(m)) continue;
      if (!cur || hasReferral(m) || m.ts - cur.last_ts > this.config.windowSeconds) {
        if (cur) this.saveExtent(cur);
        cur = this.newConversation(phone, contact, m, cur, prevSrcDay, models);
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
    const models = this.storedModels(phone, contact);
    for (const m of msgs) {
      if (!cur || hasReferral(m) || m.ts - cur.last_ts > this.config.windowSeconds) {
        if (cur && extended) this.storeExtent(cur);
        extended = false;
        cur = this.newConversation(phone, contact, m, cur, prevSrcDay, models);
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
}
