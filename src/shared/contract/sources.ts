import { z } from 'zod';
import { CurrencyCode, IsoDate, method, Ok, TimeZone } from './define';
import { AttributionModel, RangeInput, ReportRange } from './report';

// Attribution's other methods: source names and Invested, keywords and the dashboard's drill-down
// (docs/metrics.md). The leads export: contacts.ts; the attribution settings: settings.ts.

export const Investment = z.object({
  id: z.number().int(),
  sourceId: z.string(),
  amount: z.number(),
  currency: CurrencyCode,
  from: IsoDate,
  to: IsoDate,
  savedAt: z.string(),
});
export type Investment = z.infer<typeof Investment>;

/** A business number, a date range and the report timezone: what a drill-down or an export covers. */
export const Scope = {
  phone: z.string().min(1),
  range: RangeInput,
  timezone: TimeZone.optional(),
};

export const ConversationRow = z.object({
  /** The conversation id: its first message's id. */
  id: z.string(),
  contact: z.string(),
  name: z.string().nullable(),
  sourceId: z.string(),
  /** The business number (phone_number_id) the conversation is on: All numbers lists several. */
  phone: z.string().optional(),
  start: z.string(),
  converted: z.boolean(),
  eventTime: z.string().nullable(),
  revenue: z.number().nullable(),
  revenueOther: z.record(z.string(), z.number()),
});
export type ConversationRow = z.infer<typeof ConversationRow>;

export const TimelineItem = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('message'),
    id: z.string(),
    direction: z.enum(['in', 'out']),
    ts: z.string(),
    type: z.string(),
    text: z.string().nullable(),
    counts: z.boolean(),
    /** Messaging event this message is an occurrence of. */
    eventId: z.string().nullable(),
    referral: z.boolean(),
    contextId: z.string().nullable(),
    template: z.string().nullable(),
    statuses: z.array(z.object({ status: z.string(), ts: z.string() })),
  }),
  z.object({
    kind: z.literal('external'),
    id: z.string(),
    ts: z.string(),
    eventId: z.string(),
    revenue: z.object({ amount: z.number(), currency: z.string() }).nullable(),
  }),
]);
export type TimelineItem = z.infer<typeof TimelineItem>;

/** What a spend import did; with `errors`, nothing was stored. */
export const SpendImportResult = z.object({
  /** Data lines read (header and empty lines not counted). */
  lines: z.number().int(),
  errors: z.array(z.object({ line: z.number().int(), reason: z.string() })),
  /** Days (per source and currency) stored for the first time, replaced with another amount, already so. */
  added: z.number().int(),
  replaced: z.number().int(),
  unchanged: z.number().int(),
  sources: z.array(z.string()),
  from: IsoDate.nullable(),
  to: IsoDate.nullable(),
});
export type SpendImportResult = z.infer<typeof SpendImportResult>;

/** A template campaign's delivery over a range (docs/metrics.md, "Template delivery"). */
export const TemplateDelivery = z.object({
  /** The `tpl:` source its replies are counted under. */
  sourceId: z.string(),
  template: z.string(),
  /** Sends of the template in the range, and how many of them were delivered, read, failed, neither yet. */
  sent: z.number().int(),
  delivered: z.number().int(),
  read: z.number().int(),
  failed: z.number().int(),
  pending: z.number().int(),
  /** Conversations started in the range by a reply to the template (the source row's conversations). */
  replied: z.number().int(),
  /** Fractions of `sent` (0 when nothing was sent). */
  deliveredRate: z.number(),
  readRate: z.number(),
  replyRate: z.number(),
  /** Sends whose status says they are charged, and those per pricing category; the price is not in the statuses. */
  billable: z.number().int(),
  categories: z.record(z.string(), z.number().int()),
  /** The most frequent error codes of failed sends. */
  errors: z.array(z.object({ code: z.string(), title: z.string().nullable(), messages: z.number().int() })),
});
export type TemplateDelivery = z.infer<typeof TemplateDelivery>;

export const DeliveryPoint = z.object({
  bucket: IsoDate,
  to: IsoDate,
  partial: z.boolean(),
  sent: z.number().int(),
  delivered: z.number().int(),
  read: z.number().int(),
  failed: z.number().int(),
  replied: z.number().int(),
});

export const TemplateDeliveryResult = z.object({
  range: ReportRange,
  templates: z.array(TemplateDelivery),
  granularity: z.enum(['day', 'week', 'month']),
  /** With `source`: that template per bucket (the trend's day, week or month); else null. */
  series: z.array(DeliveryPoint).nullable(),
});
export type TemplateDeliveryResult = z.infer<typeof TemplateDeliveryResult>;

export const sourcesMethods = {
  'sources.rename': method({
    args: z.object({ id: z.string().min(1), name: z.string().max(200) }).strict(),
    result: Ok,
    lane: 'write',
    summary: 'Name a source (an empty name removes the rename)',
  }),
  'sources.invest': method({
    args: z
      .object({
        id: z.string().min(1),
        amount: z.number().nonnegative().finite(),
        currency: CurrencyCode,
        from: IsoDate,
        to: IsoDate,
      })
      .strict(),
    result: Investment,
    lane: 'write',
    summary: 'Store a manual Invested entry for exactly that range (newest entry wins per day)',
  }),
  'sources.investments': method({
    args: z.object({ id: z.string().optional() }).strict(),
    result: z.array(Investment),
    lane: 'read',
    summary: 'Manual Invested entries, newest first',
  }),
  'sources.investmentDelete': method({
    args: z.object({ id: z.number().int() }).strict(),
    result: Ok,
    lane: 'write',
    summary: 'Delete a manual Invested entry',
  }),
  'spend.import': method({
    args: z
      .object({
        /** The CSV's text: `date,source_id,amount,currency[,note]` (docs/metrics.md, "Imported spend"). */
        csv: z.string().max(4_000_000, 'a spend file is at most 4 MB; split it'),
        /** The file's name, kept with the rows it stored. */
        fileName: z.string().max(255).optional(),
      })
      .strict(),
    result: SpendImportResult,
    lane: 'write',
    summary:
      'Import daily spend of any source from a CSV, in one transaction: bad lines import nothing; the same file twice changes nothing',
  }),
  'sources.conversations': method({
    args: z
      .object({
        ...Scope,
        source: z.string().min(1),
        event: z.string().optional(),
        /** The report's attribution model: the conversations counted under the source in it. */
        model: AttributionModel.optional(),
        offset: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(1000).optional(),
      })
      .strict(),
    result: z.object({ total: z.number().int(), rows: z.array(ConversationRow) }),
    lane: 'read',
    summary: "A source's conversations in the range, newest first, paged",
  }),
  'sources.delivery': method({
    args: z
      .object({
        ...Scope,
        /** One template source (`tpl:<name>`), with its series; without it every template of the range. */
        source: z.string().startsWith('tpl:', 'delivery is shown for template sources (tpl:…)').optional(),
      })
      .strict(),
    result: TemplateDeliveryResult,
    lane: 'side',
    summary:
      'Template campaigns: sent, delivered, read, failed (top errors), replied, billable, per bucket for one',
  }),
  'conversations.timeline': method({
    args: z.object({ id: z.string().min(1) }).strict(),
    result: z.object({
      id: z.string(),
      phone: z.string(),
      contact: z.string(),
      name: z.string().nullable(),
      sourceId: z.string(),
      start: z.string(),
      items: z.array(TimelineItem),
    }),
    lane: 'read',
    summary: "One conversation's messages (with statuses) and external events",
  }),
  'keywords.add': method({
    args: z.object({ keyword: z.string().min(1).max(100) }).strict(),
    result: z.object({ keyword: z.string(), rebuilt: z.boolean() }),
    lane: 'job',
    jobKind: 'rebuild',
    summary: 'Track a keyword (normalized); re-derives sources',
  }),
  'keywords.list': method({
    args: z.object({}).strict(),
    result: z.array(z.object({ keyword: z.string(), addedAt: z.string() })),
    lane: 'read',
    summary: 'Tracked keywords',
  }),
  'keywords.remove': method({
    args: z.object({ keyword: z.string().min(1) }).strict(),
    result: z.object({ keyword: z.string(), rebuilt: z.boolean() }),
    lane: 'job',
    jobKind: 'rebuild',
    summary: 'Stop tracking a keyword; re-derives sources',
  }),
};
