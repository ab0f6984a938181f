import { z } from 'zod';
import { CurrencyCode, IsoDate, method, TimeZone } from './define';
import { MAX_FUNNEL_STEPS } from './limits';

// The report's keys are stable and documented in docs/metrics.md (attribution issue).

export const RangePreset = z.enum(['7d', '14d', '30d', '6m', '12m', 'this-month', 'last-month', 'this-year']);
export type RangePreset = z.infer<typeof RangePreset>;

/** A preset, or explicit inclusive dates in the report timezone. */
export const RangeInput = z.union([
  z.object({ preset: RangePreset }).strict(),
  z.object({ from: IsoDate, to: IsoDate }).strict(),
]);
export type RangeInput = z.infer<typeof RangeInput>;

export const EventKind = z.enum(['external', 'flow', 'button', 'list', 'text']);
export type EventKind = z.infer<typeof EventKind>;

export const SourceKind = z.enum(['meta_ad', 'meta_post', 'outgoing', 'keyword', 'first_message', 'rollup']);
export type SourceKind = z.infer<typeof SourceKind>;

/** Amounts per currency other than the workspace currency: never summed into the main figure. */
export const MoneyByCurrency = z.record(z.string(), z.number());

const metricFields = {
  conversations: z.number().int(),
  contacts: z.number().int(),
  leads: z.number().int(),
  conversionRate: z.number(),
  invested: z.number().nullable(),
  investedOther: MoneyByCurrency,
  costPerLead: z.number().nullable(),
  revenue: z.number().nullable(),
  revenueOther: MoneyByCurrency,
  roas: z.number().nullable(),
};

export const Totals = z.object({
  ...metricFields,
  currency: CurrencyCode,
  /**
   * Meta's messaging conversations started over the ad sources that have the figure, and their Invested ÷
   * it (docs/metrics.md "Metrics"). In the range's totals only (absent in `previous`).
   */
  metaConversationsStarted: z.number().nullable().optional(),
  costPerConversationStarted: z.number().nullable().optional(),
});
export type Totals = z.infer<typeof Totals>;

export const ReportRange = z.object({ from: IsoDate, to: IsoDate, timezone: z.string() });
export type ReportRange = z.infer<typeof ReportRange>;

export const SourceRow = z.object({
  id: z.string(),
  kind: SourceKind,
  name: z.string(),
  ...metricFields,
  /** Where Invested comes from: synced Meta spend, a manual entry, spend imported from a CSV, several (manual overrides some days), or none. */
  investedFrom: z.enum(['meta', 'manual', 'imported', 'mixed']).nullable(),
  /** Optional Meta details for ad sources: ad set, campaign and account from the Meta sync (docs/meta.md). */
  meta: z
    .object({
      campaignId: z.string().nullable(),
      campaignName: z.string().nullable(),
      adsetId: z.string().nullable(),
      adsetName: z.string().nullable(),
      impressions: z.number().nullable(),
      clicks: z.number().nullable(),
      metaConversationsStarted: z.number().nullable(),
    })
    .optional(),
  /** The rollup row lists what it folded in. */
  children: z
    .array(z.object({ id: z.string(), name: z.string(), conversations: z.number().int() }))
    .optional(),
});
export type SourceRow = z.infer<typeof SourceRow>;

export const FunnelStep = z.object({
  eventId: z.string().nullable(),
  label: z.string(),
  conversations: z.number().int(),
  rateFromStart: z.number(),
  rateFromPrevious: z.number(),
  medianSecondsFromStart: z.number().nullable(),
});
export type FunnelStep = z.infer<typeof FunnelStep>;

export const SeriesPoint = z.object({
  bucket: IsoDate,
  /** The bucket's last date within the range. */
  to: IsoDate,
  /** Cut short by the range or not over yet (the current week or month): drawn as partial. */
  partial: z.boolean(),
  conversations: z.number().int(),
  leads: z.number().int(),
});

/**
 * Whether the previous period can be compared (docs/metrics.md "Previous period"): `none` when it ends
 * before the number's first conversation, `partial` when it starts before it (`dataFrom` says when data begins).
 */
export const Comparison = z.enum(['full', 'partial', 'none']);
export type Comparison = z.infer<typeof Comparison>;

/**
 * What `previous` covers (docs/metrics.md "Previous period"): the previous period (default), the same dates
 * one year back, or nothing (`none`: the previous figures are not computed and `comparison` is `none`).
 */
export const CompareTo = z.enum(['previous', 'year', 'none']);
export type CompareTo = z.infer<typeof CompareTo>;

/** Conversion cost and ROAS over the sources with an Invested amount only (docs/metrics.md "Paid sources"). */
export const PaidTotals = z.object({
  sources: z.number().int(),
  conversations: z.number().int(),
  leads: z.number().int(),
  invested: z.number().nullable(),
  costPerLead: z.number().nullable(),
  revenue: z.number().nullable(),
  revenueOther: MoneyByCurrency,
  roas: z.number().nullable(),
});
export type PaidTotals = z.infer<typeof PaidTotals>;

/**
 * Which source a conversation counts under (docs/metrics.md "Attribution models"): its own (`conversation`,
 * the default), its contact's first conversation on the number within the lookback (`first_touch`), or the
 * latest one from an ad, keyword or template within the lookback (`last_paid_touch`).
 */
export const AttributionModel = z.enum(['conversation', 'first_touch', 'last_paid_touch']);
export type AttributionModel = z.infer<typeof AttributionModel>;

export const ReportEvent = z.object({ id: z.string(), kind: EventKind, label: z.string() });
export type ReportEvent = z.infer<typeof ReportEvent>;

export const Report = z.object({
  phone: z.object({ id: z.string(), display: z.string().nullable(), name: z.string().nullable() }),
  range: ReportRange,
  event: ReportEvent.nullable(),
  totals: Totals,
  previous: Totals.extend({
    range: ReportRange,
    comparison: Comparison,
    dataFrom: IsoDate.nullable(),
    /** What the previous figures cover (the query's `compare`); absent in reports made before it existed. */
    compare: CompareTo.optional(),
  }),
  paid: PaidTotals,
  sources: z.array(SourceRow),
  /**
   * Present when the query's `sourcesLimit` cut the rows: how many there are in all. `sources` then holds
   * the first of them in their order (conversations, most first); `report.sources` answers the rest.
   */
  sourcesTotal: z.number().int().optional(),
  funnel: z.array(FunnelStep),
  series: z.array(SeriesPoint),
  seriesGranularity: z.enum(['day', 'week', 'month']),
  unattributedExternalEvents: z.number().int(),
  /** The attribution model of the source rows (the query's `model`); absent in reports made before it existed. */
  model: AttributionModel.optional(),
});
export type Report = z.infer<typeof Report>;

export const ReportQuery = z
  .object({
    phone: z.string().min(1),
    range: RangeInput,
    event: z.string().optional(),
    timezone: TimeZone.optional(),
    funnel: z.array(z.string()).max(MAX_FUNNEL_STEPS).optional(),
    compare: CompareTo.optional(),
    model: AttributionModel.optional(),
    /**
     * At most this many source rows in the answer (the rest through `report.sources`): a screen shows a
     * few dozen rows, and the answer's size is what carrying it costs (docs/architecture.md "Source rows
     * on demand").
     */
    sourcesLimit: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();
export type ReportQuery = z.infer<typeof ReportQuery>;

/** The source rows of a report's query, all of them (the query's funnel and comparison do not matter). */
export const SourcesQuery = ReportQuery.omit({ sourcesLimit: true });
export type SourcesQuery = z.infer<typeof SourcesQuery>;

export const AvailableEvent = ReportEvent.extend({ leads: z.number().int(), occurrences: z.number().int() });
export type AvailableEvent = z.infer<typeof AvailableEvent>;

/** Available conversion events in suggested order, and the suggested one. */
export const EventList = z.object({
  events: z.array(AvailableEvent),
  suggested: z.string().nullable(),
  /** How many events of each kind there are in all, when `eventsPerKind` cut the list. */
  kinds: z.partialRecord(EventKind, z.number().int()).optional(),
});
export type EventList = z.infer<typeof EventList>;

const EventsLimit = z.number().int().min(1).max(10000);

export const DashboardQuery = z
  .object({
    ...ReportQuery.shape,
    eventsLimit: EventsLimit.optional(),
    /** At most this many events of each kind, in the list's order (the picker shows the first few of each). */
    eventsPerKind: EventsLimit.optional(),
  })
  .strict();
export type DashboardQuery = z.infer<typeof DashboardQuery>;

export const reportMethods = {
  'report.get': method({
    args: ReportQuery,
    result: Report,
    lane: 'read',
    summary: 'The report for a number, range and event',
  }),
  'report.sources': method({
    args: SourcesQuery,
    result: z.object({ sources: z.array(SourceRow) }),
    lane: 'read',
    summary: 'All source rows of a report (after one asked with sourcesLimit)',
  }),
  'events.list': method({
    args: z
      .object({
        phone: z.string().min(1),
        range: RangeInput,
        timezone: TimeZone.optional(),
        kind: EventKind.optional(),
        search: z.string().max(200).optional(),
        limit: EventsLimit.optional(),
      })
      .strict(),
    result: EventList,
    lane: 'read',
    summary: 'Available conversion events in suggested order, with lead counts',
  }),
  // A range or number change needs both; the report picks its event from the same list when none is given.
  'report.dashboard': method({
    args: DashboardQuery,
    result: z.object({ report: Report, events: EventList }),
    lane: 'read',
    summary: 'The report and the available events of its number and range, resolved once (the dashboard)',
  }),
};
