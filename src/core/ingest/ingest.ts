import type { Db } from '../db/open';

// Interface stub: the ingestion issue implements it. Everything that brings data in (webhook receiver,
// importers, collector sync, demo) goes through ingestPayloads so derivation stays in one place.

export interface PayloadInput {
  /** The parsed JSON body as delivered (Cloud API or On-Premise format). */
  body: unknown;
  origin: 'webhook' | 'import' | 'sync' | 'demo' | 'send-proxy';
  /** phone_number_id from the receiver path; On-Premise payloads need it. */
  channel?: string;
  /** unix ms when first received (carried through collector sync); default now. */
  receivedAt?: number;
}

export interface IngestResult {
  payloads: number;
  duplicatePayloads: number;
  messages: number;
  statuses: number;
  rejected: { index: number; reason: string }[];
}

/** Stores payloads exactly once and derives conversations in the same transaction. */
export function ingestPayloads(_db: Db, _items: PayloadInput[]): IngestResult {
  throw new Error('ingestPayloads is not implemented yet');
}
