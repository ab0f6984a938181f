import { Conversations } from './engine/conversations';

// The derivation engine: writes one table set (live or a rebuild's shadow) from the raw tables.
// Live changes append to a thread when they can (the common case: a new message after the last one) and
// otherwise re-derive only that (number, contact) thread. Summary deltas are collected in memory and
// written by flush(), so a batch that removes and re-adds the same rows writes nothing.
// Its sections live in engine/, one layer each (engine/table-set.ts says how they stack).

export { type ConvRow, EXTERNAL_COLUMNS, type ExternalRow, MICRO } from './engine/rows';

export class Engine extends Conversations {}
