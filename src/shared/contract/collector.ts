import { z } from 'zod';
import { method, NoArgs, Ok } from './define';

// The collector: a 24/7 `insights serve` the desktop pulls from (src/core/collector). See docs/collector.md.

export const CollectorStatus = z.object({
  configured: z.boolean(),
  url: z.string().nullable(),
  intervalMinutes: z.number().int(),
  /** When the last sync reached the end of what the collector had. */
  lastSyncedAt: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  /** The last attempt reached the collector. */
  online: z.boolean(),
  received: z.object({ payloads: z.number().int(), events: z.number().int(), outgoing: z.number().int() }),
});
export type CollectorStatus = z.infer<typeof CollectorStatus>;

export const CollectorSyncResult = z.object({
  payloads: z.number().int(),
  /** Payloads the desktop already had (its own receiver got them too). */
  duplicatePayloads: z.number().int(),
  events: z.number().int(),
  outgoing: z.number().int(),
  /** Contacts erased here because they were erased on the collector. */
  erased: z.number().int(),
  /** Payloads whose raw body the collector no longer keeps (retention) or that did not parse, and lines it could not use. */
  skipped: z.number().int(),
  /** Conversions-to-Meta outbox entries whose state came from the collector (it sends them). */
  conversions: z.number().int().optional(),
  /** Conversions this desktop had sent to Meta itself, reported to the collector so it never sends them again. */
  handedOver: z.number().int().optional(),
});
export type CollectorSyncResult = z.infer<typeof CollectorSyncResult>;

export const CollectorToken = z.object({
  id: z.string(),
  name: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type CollectorToken = z.infer<typeof CollectorToken>;

export const collectorMethods = {
  'collector.configure': method({
    args: z
      .object({
        url: z.string().min(1),
        token: z.string().min(1),
        intervalMinutes: z.number().int().min(1).max(1440).optional(),
      })
      .strict(),
    result: CollectorStatus,
    lane: 'write',
    summary: 'Connect this workspace to a collector (its URL and a read token)',
  }),
  'collector.disconnect': method({
    args: NoArgs,
    result: Ok,
    lane: 'write',
    summary: 'Forget the collector and its token (synced data stays)',
  }),
  'collector.status': method({
    args: NoArgs,
    result: CollectorStatus,
    lane: 'read',
    summary: 'Collector URL, last sync, last error, online or offline',
  }),
  'collector.sync': method({
    args: NoArgs,
    result: CollectorSyncResult,
    lane: 'job',
    jobKind: 'collector-sync',
    summary: 'Pull what the collector has and this workspace lacks (resumable)',
  }),
  'collector.tokens.create': method({
    args: z.object({ name: z.string().trim().min(1).max(100).optional() }).strict(),
    result: CollectorToken.extend({ token: z.string() }),
    lane: 'write',
    summary: 'Create a read token for GET /v1/sync (shown once, stored hashed)',
  }),
  'collector.tokens.list': method({
    args: NoArgs,
    result: z.array(CollectorToken),
    lane: 'read',
    summary: 'Read tokens of this collector',
  }),
  'collector.tokens.revoke': method({
    args: z.object({ id: z.string().min(1) }).strict(),
    result: Ok,
    lane: 'write',
    summary: 'Revoke a read token',
  }),
};
