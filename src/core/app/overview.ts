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
import { previousRange, type ResolvedRange, resolveRange } from '../attribution/report/range';
import { investedOfRange } from '../attribution/report/sources';
import { mergeInvested } from '../attribution/report/sums';
import { comparedPeriod, totalsOf } from '../attribution/report/totals';
import type { Db } from '../db/open';
import { isoOfMs } from '../time/iso';
import { listPhones } from './phones';

// One workspace's row of the agency overview (docs/metrics.md "Agency overview"): each business number's
// totals from the report's own totalsOf, summed; Invested once per source even when several numbers show
// it; money per currency, never summed across currencies.

/** A range's totals of one number, and the Invested of its source rows by key. */
interface NumberTotals {
  totals: Totals;
  invested: Map<string, Invested>;
}

function numberTotals(ctx: ReportContext, event: ReportEvent | null, r: ResolvedRange): NumberTotals {
  const invested = investedOfRange(ctx, r);
  return { totals: totalsOf(ctx, event, invested, r), invested };
}

/** The dashboard's event of a number: the remembered one when it is an event id, else the suggested one. */
function eventOf(ctx: ReportContext, remembered: string | undefined): ReportEvent | null {
  return ctx.selectEvent(remembered !== undefined && parseEventKey(remembered) ? remembered : undefined);
}

/**
 * Figures of several numbers: counts and revenue add up (a conversation belongs to one number); Invested
 * depends only on the source and the range, so a source shown on two numbers counts once.
 */
export function figuresOf(parts: NumberTotals[], currency: string): OverviewFigures {
  const invested = new Map<string, Invested>();
  for (const p of parts) for (const [key, inv] of p.invested) invested.set(key, inv);
  const inv = mergeInvested(
    [...invested.values()].map((i) => ({ invested: i.invested, investedOther: i.other })),
  );
  // Revenue in millionths like Invested (mergeInvested sums amounts per currency; null stays null).
  const rev = mergeInvested(
    parts.map((p) => ({ invested: p.totals.revenue, investedOther: p.totals.revenueOther })),
  );
  const conversations = parts.reduce((n, p) => n + p.totals.conversations, 0);
  const leads = parts.reduce((n, p) => n + p.totals.leads, 0);
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
  const current: NumberTotals[] = [];
  const previous: NumberTotals[] = [];
  const states: { comparison: Comparison; dataFrom: string | null }[] = [];
  let range: ResolvedRange | undefined;
  let prevRange: ResolvedRange | undefined;
  const phones = listPhones(db);
  for (const phone of phones) {
    const ctx = new ReportContext(db, phone.id, q.range, q.timezone, opts);
    const event = eventOf(ctx, q.eventByPhone?.[phone.id]);
    current.push(numberTotals(ctx, event, ctx.range));
    const period = comparedPeriod(ctx, compare);
    states.push(period);
    if (compare !== 'none') previous.push(numberTotals(ctx, event, period.range));
    range ??= ctx.range;
    prevRange ??= period.range;
  }
  range ??= resolveRange(q.range, resolveTimezone(db, q.timezone), opts.now);
  prevRange ??= previousRange(range, compare === 'year' ? 'year' : 'previous');
  const shown = (r: ResolvedRange) => ({ from: r.from, to: r.to, timezone: r.timezone });
  return {
    numbers: phones.length,
    currency,
    range: shown(range),
    figures: figuresOf(current, currency),
    previous: { ...figuresOf(previous, currency), range: shown(prevRange), ...comparisonOf(states) },
    lastDataAt: lastDataAt(db),
  };
}
