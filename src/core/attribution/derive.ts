import type { Db } from '../db/open';

// Interface stub: the attribution issue implements it. Ingestion calls it inside the transaction that
// stored the rows, so every reader sees derived data consistent with every acknowledged delivery.

export interface DerivationChanges {
  /** ids of inbound/outbound messages inserted by this transaction */
  messageIds: string[];
  /** ids (our external_event_id) of external events inserted by this transaction */
  externalEventIds: string[];
  /** ids of outgoing_messages inserted or updated by this transaction (they name `tpl:` sources) */
  outgoingIds: string[];
}

export function deriveChanges(_db: Db, _changes: DerivationChanges): void {
  // no-op until the attribution engine lands
}
