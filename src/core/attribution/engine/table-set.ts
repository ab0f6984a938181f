import type Database from 'better-sqlite3';
import type { Db } from '../../db/open';
import { cachedStatement } from '../../db/statements';
import type { DerivationConfig } from '../config';
import { DayKeyer } from '../days';
import type { Prefix } from '../tables';

// The engine's floor: the table set it writes (live or a rebuild's shadow) and that set's statements.
// The engine is built in layers, one module per section, each extending the one below:
// table set → dictionaries → summaries → occurrences → external events → conversations (engine.ts).
// Layers rather than separate objects, so the sections keep the plain `this.` calls they had as one class.

type Stmt = Database.Statement;

export abstract class TableSet {
  readonly days: DayKeyer;

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
  }

  /** Forgets cached ids between transactions (rows may have been deleted or added by others meanwhile). */
  reset(): void {}

  /** SQL with `$` replaced by this set's prefix, per template: the replacing showed in derivation profiles. */
  protected readonly prefixed = new Map<string, string>();

  /** A statement of this table set (`$` stands for its prefix). */
  protected st(sql: string): Stmt {
    let text = this.prefixed.get(sql);
    if (text === undefined) {
      text = sql.replaceAll('$', this.p);
      this.prefixed.set(sql, text);
    }
    return cachedStatement(this.db, text);
  }
}
