import type {
  DashboardQuery,
  EventKind,
  EventList,
  Report,
  ReportQuery,
} from '../../../shared/contract/report';
import { conversationsStartedOf } from '../../../shared/rates';
import type { Db } from '../../db/open';
import { ReportContext, type ReportOptions } from './context';
import { funnelOf } from './funnel';
import { seriesOf } from './series';
import { sourceRows } from './sources';
import { paidTotals, previousTotals, totalsOf } from './totals';

// The report and the event list: one context, then its parts with their inputs passed explicitly
// (context.ts, sources.ts, totals.ts, series.ts, funnel.ts).

export function buildReport(db: Db, q: ReportQuery, opts: ReportOptions = {}): Report {
  return reportOf(new ReportContext(db, q.phone, q.range, q.timezone, { ...opts, model: q.model }), q);
}

/** The report and the available events of its range from one context: the events are counted once. */
export function buildDashboard(
  db: Db,
  q: DashboardQuery,
  opts: ReportOptions = {},
): { report: Report; events: EventList } {
  const { eventsLimit, ...query } = q;
  const ctx = new ReportContext(db, q.phone, q.range, q.timezone, { ...opts, model: q.model });
  const report = reportOf(ctx, query);
  const all = ctx.availableEvents();
  return { report, events: { events: all.events.slice(0, eventsLimit ?? 500), suggested: all.suggested } };
}

function reportOf(ctx: ReportContext, q: ReportQuery): Report {
  const event = ctx.selectEvent(q.event);
  const sources = sourceRows(ctx, event);
  const totals = { ...totalsOf(ctx, event, sources.invested), ...conversationsStartedOf(sources.rows) };
  const { granularity, series } = seriesOf(ctx, event);
  return {
    phone: { id: ctx.phone.id, display: ctx.phone.display, name: ctx.phone.name },
    range: { from: ctx.range.from, to: ctx.range.to, timezone: ctx.range.timezone },
    event,
    totals,
    previous: previousTotals(ctx, event, q.compare),
    paid: paidTotals(ctx, event, sources.paid),
    sources: sources.rows,
    funnel: funnelOf(ctx, q.funnel ?? (event ? [event.id] : []), totals.conversations),
    series,
    seriesGranularity: granularity,
    unattributedExternalEvents: ctx.unattributed(event),
    model: ctx.model,
  };
}

export function listEvents(
  db: Db,
  args: {
    phone: string;
    range: ReportQuery['range'];
    timezone?: string;
    kind?: EventKind;
    search?: string;
    limit?: number;
  },
  opts: ReportOptions = {},
): EventList {
  const { events, suggested } = new ReportContext(
    db,
    args.phone,
    args.range,
    args.timezone,
    opts,
  ).availableEvents();
  const needle = args.search?.toLowerCase();
  const filtered = events.filter(
    (e) =>
      (!args.kind || e.kind === args.kind) &&
      (!needle || e.id.toLowerCase().includes(needle) || e.label.toLowerCase().includes(needle)),
  );
  return { events: filtered.slice(0, args.limit ?? 500), suggested };
}
