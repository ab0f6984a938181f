import type { Db } from '../db/open';
import { appliedConfig, getState } from './config';
import { engineFor, type RebuildState } from './derive';
import { Engine } from './engine';
import { activePrefix } from './tables';

/**
 * Removes everything derived from one contact (every number): conversations, occurrences, summaries and
 * the attribution of their external events. Call it in the transaction that deletes the contact's raw rows.
 * External events of other contacts chained to this contact's events are re-attributed.
 */
export function eraseDerivedForContact(db: Db, contactId: string): void {
  const engine = engineFor(db, activePrefix(db), appliedConfig(db));
  engine.eraseContact(contactId);
  engine.flush();
  const rebuild = getState<RebuildState>(db, 'rebuild');
  if (rebuild) {
    const shadow = new Engine(db, rebuild.target, rebuild.config, rebuild.summaries ? 'live' : 'bulk');
    shadow.eraseContact(contactId);
    shadow.flush();
  }
}
