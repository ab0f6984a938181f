import { z } from 'zod';
import { CurrencyCode, IsoDate, method, TimeZone, WorkspaceName } from './define';
import { CompareTo, Comparison, RangeInput, ReportRange } from './report';

// The agency overview (docs/metrics.md "Agency overview"): one row per workspace of the data folder.

/** Invested, revenue and the rates that divide them, in one currency: amounts are never summed across currencies. */
export const OverviewMoney = z.object({
  currency: CurrencyCode,
  invested: z.number().nullable(),
  costPerLead: z.number().nullable(),
  revenue: z.number().nullable(),
  roas: z.number().nullable(),
});
export type OverviewMoney = z.infer<typeof OverviewMoney>;

/** The figures of a workspace over a range: counts, and money per currency (its own currency first). */
export const OverviewFigures = z.object({
  conversations: z.number().int(),
  leads: z.number().int(),
  conversionRate: z.number(),
  money: z.array(OverviewMoney),
});
export type OverviewFigures = z.infer<typeof OverviewFigures>;

/** One workspace over the range (figures of all its business numbers). */
export const WorkspaceOverview = z.object({
  /** Business numbers of the workspace. */
  numbers: z.number().int(),
  /** The workspace currency (the first entry of every `money`). */
  currency: CurrencyCode,
  range: ReportRange,
  figures: OverviewFigures,
  previous: OverviewFigures.extend({
    range: ReportRange,
    comparison: Comparison,
    dataFrom: IsoDate.nullable(),
  }),
  /** When the workspace last stored a delivery or an external event (ISO 8601), null when never. */
  lastDataAt: z.string().nullable(),
});
export type WorkspaceOverview = z.infer<typeof WorkspaceOverview>;

export const OverviewRow = z.object({
  workspace: WorkspaceName,
  isDemo: z.boolean(),
  /** Null when the workspace could not be read; `error` says why. */
  overview: WorkspaceOverview.nullable(),
  error: z.string().nullable(),
});
export type OverviewRow = z.infer<typeof OverviewRow>;

export const OverviewQuery = z
  .object({
    range: RangeInput,
    compare: CompareTo.optional(),
    /** Default: each workspace's own timezone setting. */
    timezone: TimeZone.optional(),
    /** The conversion event per business number (the dashboard's remembered choice); else the suggested one. */
    eventByPhone: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type OverviewQuery = z.infer<typeof OverviewQuery>;

export const overviewMethods = {
  'overview.get': method({
    args: OverviewQuery,
    result: z.object({ workspaces: z.array(OverviewRow) }),
    // The host reads the workspaces side by side on a pool of worker threads (docs/architecture.md).
    lane: 'host',
    scope: 'data-folder',
    summary: 'Every workspace of the data folder over a range: counts, money per currency, previous period',
  }),
};
