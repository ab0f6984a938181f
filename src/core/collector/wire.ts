// The NDJSON lines of GET /v1/sync (docs/collector.md, "Sync protocol"). Each item line carries the
// cursor that resumes right after it; a response that stops without an `end` line was cut off.

/** Rows per GET /v1/sync response the desktop asks for; the collector caps `limit` at SYNC_MAX_LIMIT. */
export const SYNC_PAGE_LIMIT = 5000;
export const SYNC_MAX_LIMIT = 50_000;

export type SyncLine =
  | { type: 'header'; remaining: number; limit: number }
  | {
      type: 'payload';
      cursor: string;
      receivedAt: number;
      origin: string;
      channel: string | null;
      body: unknown;
    }
  | { type: 'event'; cursor: string; event: Record<string, unknown> }
  | { type: 'outgoing'; cursor: string; outgoing: Record<string, unknown> }
  /** A contact erased on the collector; `contact` is the sha256 of its id, hex (feed.ts). */
  | { type: 'erasure'; cursor: string; contact: string; erasedAt: number }
  /** A conversions outbox row in its current state (snake_case columns of capi_outbox, feed.ts). */
  | { type: 'outbox'; cursor: string; outbox: Record<string, unknown> }
  | { type: 'end'; cursor: string; more: boolean }
  | { type: 'error'; message: string };
