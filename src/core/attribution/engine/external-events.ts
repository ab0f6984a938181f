import { externalEventOf } from '../classify';
import { decideExternal } from '../external-attribution';
import { Occurrences } from './occurrences';
import { type ConvRow, EXTERNAL_COLUMNS, type ExternalRow, MICRO } from './rows';

// External events (the collector's and the API's): which conversation each is attributed to, kept current
// as conversations appear, change or go. The decision itself is decideExternal (external-attribution.ts),
// which "See why" shares.

export abstract class ExternalEvents extends Occurrences {
  /** External events whose attribution must be recomputed before flush (their conversation changed). */
  protected readonly pendingExternal = new Set<string>();

  /** Settles the external events whose conversation changed, then writes the summary deltas. */
  override flush(): void {
    for (const id of [...this.pendingExternal]) {
      this.pendingExternal.delete(id);
      this.attributeExternal(id);
    }
    super.flush();
  }

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
    // Only later events follow this one (decideExternal), so the walk goes forward in time and ends.
    const dependents = this.st(
      'SELECT id FROM external_events WHERE previous_external_event_id IN (?, ?) AND (ts > ? OR (ts = ? AND id > ?))',
    )
      .pluck()
      .all(e.id, e.event_id ?? e.id, e.ts, e.ts, e.id) as string[];
    for (const d of dependents) this.attributeExternal(d, seen);
  }

  /** Removes an external event's attribution and occurrence. */
  protected detachExternal(id: string): void {
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
