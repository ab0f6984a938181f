import { z } from 'zod';
import { method } from './define';
import { AttributionModel } from './report';
import { Scope } from './sources';

// A person's data (src/core/contacts): the leads or contacts of a range as CSV for a CRM, and erasure
// everywhere for privacy (docs/metrics.md#exports, docs/security.md).

export const EraseSummary = z.object({
  contactIds: z.array(z.string()),
  messages: z.number().int(),
  statuses: z.number().int(),
  externalEvents: z.number().int(),
  outgoingMessages: z.number().int(),
  rawPayloadsDeleted: z.number().int(),
  rawPayloadsRewritten: z.number().int(),
  quarantine: z.number().int(),
  contacts: z.number().int(),
});
export type EraseSummary = z.infer<typeof EraseSummary>;

export const contactsMethods = {
  'contacts.export': method({
    args: z
      .object({
        ...Scope,
        event: z.string().optional(),
        source: z.string().optional(),
        /** With `source`: the conversations counted under it in this attribution model (the drill-down's). */
        model: AttributionModel.optional(),
        all: z.boolean().optional(),
      })
      .strict(),
    result: z.object({ csv: z.string(), rows: z.number().int() }),
    lane: 'read',
    summary: 'Lead conversations (all with `all`) as Excel-safe CSV',
  }),
  'contacts.erase': method({
    args: z.object({ phone: z.string().trim().min(1).max(100) }).strict(),
    result: EraseSummary,
    lane: 'write',
    summary: 'Erase a contact everywhere: raw payloads, messages, statuses, events, derived rows, quarantine',
  }),
};
