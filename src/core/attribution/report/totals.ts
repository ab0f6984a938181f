import type {
  CompareTo,
  Comparison,
  PaidTotals,
  Report,
  ReportEvent,
  Totals,
} from '../../../shared/contract/report';
import { ratesOf } from '../../../shared/rates';
import type { ReportContext } from './context';
import type { Invested } from './invested';
import { investedOfRange } from './invested-rows';
import { previousRange, type ResolvedRange } from './range';
import type { PaidSums } from './sources';
import { mergeInvested } from './sums';

// The totals of a range (from day-level summaries, independent of the source rows), the previous range's,
// and the paid-only sums. Invested is an explicit input: the sum over the range's source rows.

/** Totals of a range; `invested` is the Invested of its source rows (sourceRows or investedOfRange). */
export function totalsOf(
  ctx: ReportContext,
  event: ReportEvent | null,
  invested: Map<string, Invested>,
  r: ResolvedRange = ctx.range,
): Totals {
  const ev = event ? ctx.eventId(event.id) : null;
  const t = ctx.aggregator(r).totals(ev);
  const inv = mergeInvested(
    [...invested.values()].map((i) => ({ invested: i.invested, investedOther: i.other })),
  );
  const { revenue, revenueOther } = ctx.revenueOf(t, event);
  const rates = ratesOf({
    conversations: t.conversations,
    leads: t.leads,
    invested: inv.invested,
    revenue,
  });
  return {
    conversations: t.conversations,
    contacts: t.contacts,
    leads: t.leads,
    conversionRate: rates.conversionRate,
    invested: inv.invested,
    investedOther: inv.other,
    costPerLead: rates.costPerLead,
    revenue,
    revenueOther,
    roas: rates.roas,
    currency: ctx.settings.currency,
  };
}

/** Conversion cost and ROAS over the sources with an Invested amount only (`paid` of sourceRows). */
export function paidTotals(ctx: ReportContext, event: ReportEvent | null, paid: PaidSums): PaidTotals {
  const { revenue, revenueOther } = ctx.revenueOf(paid.agg, event);
  const invested = paid.invested.invested;
  const rates = ratesOf({ conversations: paid.agg.conversations, leads: paid.agg.leads, invested, revenue });
  return {
    sources: paid.sources,
    conversations: paid.agg.conversations,
    leads: paid.agg.leads,
    invested,
    costPerLead: rates.costPerLead,
    revenue,
    revenueOther,
    roas: rates.roas,
  };
}

/** The period compared with and how much of it has data (docs/metrics.md "Previous period"). */
export function comparedPeriod(
  ctx: ReportContext,
  compare: CompareTo = 'previous',
): { range: ResolvedRange; comparison: Comparison; dataFrom: string | null } {
  const range = previousRange(ctx.range, compare === 'year' ? 'year' : 'previous');
  const dataFrom = ctx.firstConversationDate();
  const comparison: Comparison =
    compare === 'none' || dataFrom === null || dataFrom > range.to
      ? 'none'
      : dataFrom > range.from
        ? 'partial'
        : 'full';
  return { range, comparison, dataFrom };
}

/**
 * Totals of the period compared with (the previous period, or the same dates a year back), and how much
 * of it has data. `none`: nothing is computed; the figures are empty and `comparison` is `none`.
 */
export function previousTotals(
  ctx: ReportContext,
  event: ReportEvent | null,
  compare: CompareTo = 'previous',
): Report['previous'] {
  const { range: r, comparison, dataFrom } = comparedPeriod(ctx, compare);
  const totals = compare === 'none' ? emptyTotals(ctx) : totalsOf(ctx, event, investedOfRange(ctx, r), r);
  return {
    ...totals,
    range: { from: r.from, to: r.to, timezone: r.timezone },
    comparison,
    dataFrom,
    compare,
  };
}

function emptyTotals(ctx: ReportContext): Totals {
  return {
    conversations: 0,
    contacts: 0,
    leads: 0,
    conversionRate: 0,
    invested: null,
    investedOther: {},
    costPerLead: null,
    revenue: null,
    revenueOther: {},
    roas: null,
    currency: ctx.settings.currency,
  };
}
