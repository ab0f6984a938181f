import type { Db } from '../db/open';
import { deleteState, getState, setState } from './config';

// An import about as large as the workspace (a first import of history, docs/ingestion.md "Imports")
// stores its payloads without deriving them and rebuilds the derived tables once at the end: a bulk load
// costs a fraction of deriving each message as it is stored. The marker below says that stored rows may
// be underived; only a rebuild clears it (see rebuildDerived), and any rebuild that starts after those
// rows were committed derives them. While a rebuild runs, nothing is deferred: rows it has already
// passed are then derived live and marked for it to redo (deriveChanges).

const KEY = 'deferred';

interface Deferred {
  /** unix ms of the first transaction that stored rows without deriving them */
  since: number;
}

/**
 * Called in a transaction that stores rows: true when it may leave them underived (the marker is then
 * set in that same transaction), false when it must derive them now because a rebuild is running.
 */
export function deferDerivation(db: Db): boolean {
  if (getState(db, 'rebuild')) return false;
  if (!getState<Deferred>(db, KEY)) setState(db, KEY, { since: Date.now() } satisfies Deferred);
  return true;
}

/** Stored rows may be underived: an import that deferred derivation has not finished its rebuild. */
export function derivationDeferred(db: Db): boolean {
  return getState<Deferred>(db, KEY) !== null;
}

/** For rebuildDerived's swap: the new table set derives everything stored before the rebuild began. */
export function clearDeferred(db: Db): void {
  deleteState(db, KEY);
}
