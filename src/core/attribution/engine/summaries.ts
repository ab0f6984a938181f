import type { Db } from '../../db/open';
import { getSetting } from '../../db/settings';
import type { DerivationConfig } from '../config';
import { type Feeds, SUMMARIES, type Summary } from '../derived-cache';
import { type Prefix, setObjects } from '../tables';
import { Dictionaries } from './dictionaries';
import type { ConvRow } from './rows';

// Summary deltas: collected in memory per summary table and written by flush(), so a batch that removes
// and re-adds the same rows writes nothing. Which summaries exist, their keys and values and what feeds
// them all come from the declaration in derived-cache.ts.

/**
 * The workspace setting that turns the log of changed ad conversations on: conversions to Meta's on/off
 * (src/core/conversions/settings.ts), so a workspace that never sends keeps no log.
 */
export const AD_LEAD_LOG_SETTING = 'capi.enabled';

export abstract class Summaries extends Dictionaries {
  /** This set's summaries by what feeds them. */
  private readonly summaries: Record<keyof Feeds, [string, Summary][]> = {
    conversation: [],
    lead: [],
    revenue: [],
  };
  /**
   * Ad conversations (by first message id) whose leads or occurrences changed in this batch: flush() logs
   * them in ad_lead_changes (migration 0010), which conversions to Meta drain to re-plan just those.
   */
  private readonly adLeadChanges = new Set<string>();
  /** Summary deltas per summary table, by key (its key values joined by \u0001). */
  private readonly sums = new Map<string, Map<string, number[]>>(
    Object.keys(SUMMARIES).map((table) => [table, new Map()]),
  );

  constructor(db: Db, p: Prefix, config: DerivationConfig, mode: 'live' | 'bulk' = 'live') {
    super(db, p, config, mode);
    // The declared summaries this set has: one made from an older declaration, still live while a
    // rebuild makes its successor, lacks the newer ones (derived-cache.ts, DERIVED_CACHE_VERSION).
    const has = new Set(setObjects(db, p).map((o) => o.name));
    for (const entry of Object.entries(SUMMARIES) as [string, Summary][])
      if (has.has(`${p}${entry[0]}`)) this.summaries[entry[1].feed].push(entry);
  }

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

  protected countConversation(c: ConvRow, sign: 1 | -1): void {
    this.count('conversation', { c, sign });
  }

  protected countLead(c: ConvRow, event: number, leads: number, occ: number): void {
    this.count('lead', { c, event, leads, occ });
    if (this.mode === 'live' && this.sourceKind(c.source) === 'meta_ad')
      this.adLeadChanges.add(c.first_message_id);
  }

  protected countRevenue(c: ConvRow, event: number, currency: string, amount: number): void {
    this.count('revenue', { c, event, currency, amount });
  }

  override reset(): void {
    super.reset();
    this.adLeadChanges.clear();
  }

  /** Writes collected summary deltas and the log of changed ad conversations. */
  flush(): void {
    if (this.adLeadChanges.size > 0 && getSetting(this.db, AD_LEAD_LOG_SETTING, false)) {
      this.st('INSERT OR IGNORE INTO ad_lead_changes (conversation) SELECT value FROM json_each(?)').run(
        JSON.stringify([...this.adLeadChanges]),
      );
    }
    this.adLeadChanges.clear();
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
}
