import type { ConvRow } from './rows';
import { Summaries } from './summaries';

// Occurrences of conversion events in a conversation, and the per-(conversation, event) rows they roll up to.

export abstract class Occurrences extends Summaries {
  // Known since reset(): a new conversation has no conv_events row until this engine inserts one.
  // Forgetting it is always safe: the lookup runs instead.
  protected readonly newConvEvents = new Map<number, Set<number>>();

  override reset(): void {
    super.reset();
    this.newConvEvents.clear();
  }

  protected addOccurrence(
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

  protected removeOccurrence(c: ConvRow, event: number, ts: number, ref: string): void {
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
}
