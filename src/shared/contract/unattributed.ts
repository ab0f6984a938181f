import { z } from 'zod';
import { method } from './define';

// External events that match no conversation, each with the reason, so a marketer can fix the sender
// (wrong app_id, missing chain) or retry once the conversation arrived.

export const UnattributedEvent = z.object({
  /** Our external_event_id. */
  id: z.string(),
  action: z.string(),
  /** The lead's contact id (wa_id digits). */
  leadPhone: z.string(),
  /** When the event happened (ISO). */
  time: z.string(),
  revenue: z.number().nullable(),
  currency: z.string().nullable(),
  appId: z.string().nullable(),
  /** Why no conversation matched, in plain words. */
  reason: z.string(),
});
export type UnattributedEvent = z.infer<typeof UnattributedEvent>;

export const unattributedMethods = {
  'events.unattributed.list': method({
    args: z
      .object({
        /** A business number (phone_number_id or display number): events whose app_id names it or is empty. */
        phone: z.string().trim().min(1).max(100).optional(),
        limit: z.number().int().min(1).max(1000).optional(),
        offset: z.number().int().min(0).optional(),
      })
      .strict(),
    result: z.object({ total: z.number().int(), rows: z.array(UnattributedEvent) }),
    lane: 'read',
    summary: 'External events that match no conversation, newest first, each with its reason',
  }),
  'events.unattributed.retry': method({
    args: z.object({ id: z.string().min(1) }).strict(),
    result: z.object({ attributed: z.boolean(), reason: z.string().nullable() }),
    lane: 'write',
    summary: 'Run attribution again for one external event',
  }),
  'events.unattributed.delete': method({
    args: z.object({ id: z.string().min(1) }).strict(),
    result: z.object({ deleted: z.number().int() }),
    lane: 'write',
    summary: 'Delete one unattributed external event',
  }),
};
