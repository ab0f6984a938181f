import { z } from 'zod';
import { IsoDate, method, NoArgs } from './define';
import { META_EVENT_NAMES } from './limits';
import { PhoneNumberId } from './phone-number-id';

// Conversions to Meta (Conversions API for Business Messaging, docs/conversions-api.md): which conversion
// events are sent under which Meta event name, the dataset of each WhatsApp Business Account, the outbox
// of every candidate with its state, and the sender. Event fields:
// https://developers.facebook.com/docs/marketing-api/conversions-api/business-messaging/

// The names are plain values in limits.ts: the renderer's Meta event select needs them without zod.
export { ACCEPTED_META_EVENT_NAMES, META_EVENT_NAMES } from './limits';

export const MetaEventName = z.enum(META_EVENT_NAMES, {
  error: `a Meta event name is one of ${META_EVENT_NAMES.join(', ')}`,
});
export type MetaEventName = z.infer<typeof MetaEventName>;

/** One of the app's conversion event ids, as the event picker shows them: ext:Purchase, button:Book now … */
export const ConversionEventId = z
  .string()
  .trim()
  .min(1, 'choose a conversion event')
  .max(300, 'an event id is at most 300 characters')
  .regex(
    /^(ext|flow|button|list|text):./s,
    'an event id starts with ext:, flow:, button:, list: or text: (as the event picker lists them)',
  );

/** Meta's test event code (Events Manager → Test events), e.g. TEST12345. */
export const TestEventCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a test event code is letters and digits, as Events Manager shows it');

export const WabaId = z.string().regex(/^\d{5,25}$/, 'a WhatsApp Business Account id is digits');

/**
 * pending: waiting to be sent · sent: Meta answered 200 · failed: a send failed and will be retried ·
 * rejected: Meta refused it (not retried) · expired: older than 7 days before it could be sent ·
 * not_sendable: no click id (a Status placement, or no referral) or no WhatsApp Business Account ·
 * withdrawn: attribution moved or removed the conversion before it was sent.
 */
export const OutboxState = z.enum([
  'pending',
  'sent',
  'failed',
  'rejected',
  'expired',
  'not_sendable',
  'withdrawn',
]);
export type OutboxState = z.infer<typeof OutboxState>;

export const ConversionMapping = z.object({
  eventId: z.string(),
  /** The event's label as the report shows it. */
  label: z.string(),
  metaEvent: MetaEventName,
  /** Value and currency come from the occurrence's revenue (external events with revenue). */
  value: z.boolean(),
});
export type ConversionMapping = z.infer<typeof ConversionMapping>;

export const ConversionDataset = z.object({
  phoneNumberId: z.string(),
  displayNumber: z.string().nullable(),
  /** From Cloud API deliveries (entry[].id) or entered for on-premise channels. */
  wabaId: z.string().nullable(),
  datasetId: z.string().nullable(),
});
export type ConversionDataset = z.infer<typeof ConversionDataset>;

/** Who sends this workspace's conversions: this installation, or the collector it syncs from. */
export const ConversionSender = z.object({
  kind: z.enum(['this', 'collector']),
  /** The collector's URL when it sends. */
  collectorUrl: z.string().nullable(),
  /** This installation runs `insights serve` (sends while it runs, around the clock). */
  serving: z.boolean(),
});

export const ConversionSettings = z.object({
  enabled: z.boolean(),
  /** ISO time from which conversions are sent: the 7 days before enabling (backfill). */
  sendFrom: z.string().nullable(),
  testEventCode: z.string().nullable(),
  mappings: z.array(ConversionMapping),
  /** The default mapping for this workspace's events, offered while nothing is mapped. */
  suggested: z.array(ConversionMapping),
  datasets: z.array(ConversionDataset),
  sender: ConversionSender,
});
export type ConversionSettings = z.infer<typeof ConversionSettings>;

export const OutboxCounts = z.object({
  pending: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  rejected: z.number().int(),
  expired: z.number().int(),
  notSendable: z.number().int(),
  withdrawn: z.number().int(),
});
export type OutboxCounts = z.infer<typeof OutboxCounts>;

export const OutboxEntry = z.object({
  eventId: z.string(),
  /** The conversation's first message id (stable across rebuilds and installations). */
  conversation: z.string(),
  phoneNumberId: z.string(),
  sourceKey: z.string(),
  conversionEvent: z.string(),
  metaEvent: z.string(),
  /** ISO time of the occurrence (event_time). */
  eventTime: z.string(),
  state: OutboxState,
  value: z.number().nullable(),
  currency: z.string().nullable(),
  attempts: z.number().int(),
  /** Why it failed, was rejected or is not sendable, in words; null otherwise. */
  error: z.string().nullable(),
  errorCode: z.string().nullable(),
  sentAt: z.string().nullable(),
  fbtraceId: z.string().nullable(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

export const ConversionStatus = OutboxCounts.extend({
  /** Counts of entries whose event_time is in the range (all entries without one). */
  range: z.object({ from: IsoDate, to: IsoDate }).nullable(),
  lastError: z.string().nullable(),
  lastErrors: z.array(z.object({ at: z.string(), message: z.string(), count: z.number().int() })),
  lastSendAt: z.string().nullable(),
  /** Meta answered 190: the sender stopped until Meta is connected again. */
  needsLogin: z.boolean(),
  enabled: z.boolean(),
  sender: ConversionSender,
});
export type ConversionStatus = z.infer<typeof ConversionStatus>;

export const ConversionSendResult = z.object({
  dryRun: z.boolean(),
  /** Entries sent (or, in a dry run, that would be sent) by this call. */
  sent: z.number().int(),
  batches: z.number().int(),
  /** The requests as they would be POSTed (dry run only; the token is never part of them). */
  requests: z.array(
    z.object({ datasetId: z.string(), path: z.string(), body: z.record(z.string(), z.unknown()) }),
  ),
  counts: OutboxCounts,
  lastError: z.string().nullable(),
});
export type ConversionSendResult = z.infer<typeof ConversionSendResult>;

const DateRange = z.object({ from: IsoDate, to: IsoDate }).strict();

export const conversionsMethods = {
  'conversions.settings': method({
    args: NoArgs,
    result: ConversionSettings,
    lane: 'read',
    summary: 'Conversions to Meta: on/off, mapping, datasets per business number, test code, sender',
  }),
  'conversions.configure': method({
    args: z
      .object({
        enabled: z.boolean().optional(),
        testEventCode: TestEventCode.nullable().optional(),
      })
      .strict(),
    result: ConversionSettings,
    lane: 'write',
    summary: 'Turn sending on or off (the first time on queues the last 7 days) and set the test event code',
  }),
  'conversions.map': method({
    args: z
      .object({ eventId: ConversionEventId, metaEvent: MetaEventName, value: z.boolean().optional() })
      .strict(),
    result: ConversionSettings,
    lane: 'write',
    summary: 'Send a conversion event to Meta under a Meta event name (value: with its revenue)',
  }),
  'conversions.unmap': method({
    args: z.object({ eventId: ConversionEventId }).strict(),
    result: ConversionSettings,
    lane: 'write',
    summary: 'Stop sending a conversion event (what was sent stays sent)',
  }),
  'conversions.dataset': method({
    args: z
      .object({
        phoneNumberId: PhoneNumberId,
        wabaId: WabaId.optional(),
        create: z.boolean().optional(),
      })
      .strict(),
    result: ConversionDataset,
    lane: 'write',
    summary: "Find (or with create, create) the Meta dataset of a number's WhatsApp Business Account",
  }),
  'conversions.send': method({
    args: z.object({ dryRun: z.boolean().optional(), testEventCode: TestEventCode.optional() }).strict(),
    result: ConversionSendResult,
    lane: 'job',
    jobKind: 'conversions-send',
    summary: 'Send what is pending to Meta now (dry run: show the requests without sending)',
  }),
  'conversions.status': method({
    args: z.object({ range: DateRange.optional(), source: z.string().max(300).optional() }).strict(),
    result: ConversionStatus,
    lane: 'read',
    summary: 'Outbox counts per state (for a range of event dates, one source), the last errors, the sender',
  }),
  'conversions.list': method({
    args: z
      .object({
        state: OutboxState.optional(),
        source: z.string().max(300).optional(),
        limit: z.number().int().min(1).max(10_000).optional(),
        offset: z.number().int().min(0).optional(),
      })
      .strict(),
    result: z.object({ entries: z.array(OutboxEntry), total: z.number().int() }),
    lane: 'read',
    summary: 'Outbox entries, newest first (filter by state or source key)',
  }),
};
