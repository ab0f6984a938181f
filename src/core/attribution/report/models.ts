import type { AttributionModel } from '../../../shared/contract/report';
import type { Db } from '../../db/open';
import { cachedStatement } from '../../db/statements';
import { MODEL_PREFIXES } from '../derived-cache';
import type { Prefix } from '../tables';

// Where a report reads the source a conversation counts under, per attribution model (docs/metrics.md
// "Attribution models"): the conversation model reads `source` and the summaries keyed by it; the others
// their own column on the conversation and their own summaries, of the same shape (derived-cache.ts).

export interface ModelTables {
  /** Prefix of the model's source-keyed summaries and indexes ('' for the conversation model). */
  t: '' | `${(typeof MODEL_PREFIXES)[keyof typeof MODEL_PREFIXES]}_`;
  /** The conversation's column holding the source it counts under. */
  source: string;
  /** Its prev_src_day: the day of the contact's previous conversation under the same source. */
  prev: string;
}

export const CONVERSATION_MODEL: ModelTables = { t: '', source: 'source', prev: 'prev_src_day' };

export function modelTables(model: AttributionModel = 'conversation'): ModelTables {
  if (model === 'conversation') return CONVERSATION_MODEL;
  const m = MODEL_PREFIXES[model];
  return { t: `${m}_`, source: `${m}_source`, prev: `${m}_prev_day` };
}

/** Whether set `p` has the models' summaries: one made before them is live until its rebuild swaps it. */
export function modelsAvailable(db: Db, p: Prefix): boolean {
  return (
    cachedStatement(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(
      `${p}lpt_rev_all`,
    ) !== undefined
  );
}
