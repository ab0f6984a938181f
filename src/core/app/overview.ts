import { ALL_NUMBERS } from '../../shared/all-numbers';
import type {
  OverviewFigures,
  OverviewMoney,
  OverviewQuery,
  WorkspaceOverview,
} from '../../shared/contract/overview';
import type { Comparison, ReportEvent, Totals } from '../../shared/contract/report';
import { conversionRate, costPerLead, roas } from '../../shared/rates';
import { parseEventKey } from '../attribution/classify';
import { readSettings } from '../attribution/config';
import { ReportContext, type ReportOptions, resolveTimezone } from '../attribution/report/context';
import type { Invested } from '../attribution/report/invested';
import { investedOfRange } from '../attribution/report/invested-rows';
import { previousRange, type ResolvedRange, resolveRange } from '../attribution/report/range';
import { mergeInvested } from '../attribution/report/sums';
import { comparedPeriod, totalsOf } from '../attribution/report/totals';
import type { Db } from '../db/open';
import { isoOfMs } from '../time/iso';
import { listPhones } from './phones';

// One workspace's row of the agency overview (docs/metrics.md "Agency overview"): each business number's
// totals from the report's own totalsOf, summed; Invested once per source even when several numbers show
// it; money per currency, never summed across currencies.

// A number's totals here leave Invested out (an empty map): the row's Invested is read once per range
// over all its numbers below, and each number's own is never shown.
const NO_INVESTED = new Map<string, Invested>();

/** The dashboard's event of a number: the remembered one when it is an event id, else the suggested one. */
function eventOf(ctx: ReportContext, remembered: string | undefined): ReportEvent | null {
  return ctx.selectEvent(remembered !== undefined && parseEventKey(remembered) ? remembered : undefined);
}

/**
 * Figures of several numbers: counts and revenue add up (a conversation belongs to one number); Invested
 * depends only on the source and the range, so a source shown on two numbers counts once: `invested` is
 * that of the source rows of all the numbers (the union of theirs, as in All numbers).
 */
function figuresOf(parts: Totals[], invested: Map<string, Invested>, currency: string): OverviewFigures {
  const inv = mergeInvested(
    [...invested.values()].map((i) => ({ invested: i.invested, investedOther: i.other })),
  );
  // Revenue in millionths like Invested (mergeInvested sums amounts per currency; null stays null).
  const rev = mergeInvested(parts.map((p) => ({ invested: p.revenue, investedOther: p.revenueOther })));
  const conversations = parts.reduce((n, p) => n + p.conversations, 0);
  const leads = parts.reduce((n, p) => n + p.leads, 0);
  const others = [...new Set([...Object.keys(inv.other), ...Object.keys(rev.other)])]
    .filter((c) => c !== currency)
    .sort();
  const money: OverviewMoney[] = [currency, ...others].map((cur) => {
    const invested = cur === currency ? inv.invested : (inv.other[cur] ?? null);
    const revenue = cur === currency ? rev.invested : (rev.other[cur] ?? null);
    return {
      currency: cur,
      invested,
      costPerLead: costPerLead(invested, leads),
      revenue,
      roas: roas(revenue, invested),
    };
  });
  return { conversations, leads, conversionRate: conversionRate(leads, conversations), money };
}

/**
 * A workspace's comparison: over its numbers with data, `full` when all are, `none` when none is, else
 * `partial` from the earliest first conversation.
 */
function comparisonOf(states: { comparison: Comparison; dataFrom: string | null }[]): {
  comparison: Comparison;
  dataFrom: string | null;
} {
  const withData = states.filter((s) => s.dataFrom !== null);
  const dataFrom = withData.map((s) => s.dataFrom!).sort()[0] ?? null;
  if (withData.length === 0 || withData.every((s) => s.comparison === 'none'))
    return { comparison: 'none', dataFrom };
  if (withData.every((s) => s.comparison === 'full')) return { comparison: 'full', dataFrom };
  return { comparison: 'partial', dataFrom };
}

/** When the workspace last stored a delivery or an external event. */
function lastDataAt(db: Db): string | null {
  const ms = db
    .prepare(
      'SELECT MAX(m) FROM (SELECT MAX(received_at) AS m FROM raw_payloads UNION ALL SELECT MAX(received_at) FROM external_events)',
    )
    .pluck()
    .get() as number | null;
  return ms === null ? null : isoOfMs(ms);
}

export function workspaceOverview(db: Db, q: OverviewQuery, opts: ReportOptions = {}): WorkspaceOverview {
  const { currency } = readSettings(db);
  const compare = q.compare ?? 'previous';
  const current: Totals[] = [];
  const previous: Totals[] = [];
  const states: { comparison: Comparison; dataFrom: string | null }[] = [];
  let range: ResolvedRange | undefined;
  let prevRange: ResolvedRange | undefined;
  const phones = listPhones(db);
  for (const phone of phones) {
    const ctx = new ReportContext(db, phone.id, q.range, q.timezone, opts);
    const event = eventOf(ctx, q.eventByPhone?.[phone.id]);
    current.push(totalsOf(ctx, event, NO_INVESTED));
    const period = comparedPeriod(ctx, compare);
    states.push(period);
    if (compare !== 'none') previous.push(totalsOf(ctx, event, NO_INVESTED, period.range));
    range ??= ctx.range;
    prevRange ??= period.range;
  }
  range ??= resolveRange(q.range, resolveTimezone(db, q.timezone), opts.now);
  prevRange ??= previousRange(range, compare === 'year' ? 'year' : 'previous');
  // Invested over every number at once (All numbers' source rows are the union of the numbers'), so an ad
  // linked to both numbers is read once, not once per number.
  const all =
    phones.length === 0
      ? null
      : new ReportContext(db, phones.length === 1 ? phones[0]!.id : ALL_NUMBERS, q.range, q.timezone, opts);
  const investedOf = (r: ResolvedRange) => (all ? investedOfRange(all, r) : NO_INVESTED);
  const shown = (r: ResolvedRange) => ({ from: r.from, to: r.to, timezone: r.timezone });
  return {
    numbers: phones.length,
    currency,
    range: shown(range),
    figures: figuresOf(current, investedOf(range), currency),
    previous: {
      ...figuresOf(previous, compare === 'none' ? NO_INVESTED : investedOf(prevRange), currency),
      range: shown(prevRange),
      ...comparisonOf(states),
    },
    lastDataAt: lastDataAt(db),
  };
}
