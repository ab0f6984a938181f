import type {
  AvailableEvent,
  DashboardQuery,
  EventKind,
  EventList,
  Report,
  ReportEvent,
  ReportQuery,
  SourceRow,
  SourcesQuery,
} from '../../../shared/contract/report';
import type { Db } from '../../db/open';
import { ReportContext, type ReportOptions } from './context';
import { funnelOf } from './funnel';
import { rememberedRows, rememberRows } from './rows-cache';
import { seriesOf } from './series';
import { type SourceRows, sourceRows } from './sources';
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
  const { eventsLimit, eventsPerKind, ...query } = q;
  const ctx = new ReportContext(db, q.phone, q.range, q.timezone, { ...opts, model: q.model });
  const report = reportOf(ctx, query);
  const all = ctx.availableEvents();
  if (eventsPerKind === undefined)
    return { report, events: { events: all.events.slice(0, eventsLimit ?? 500), suggested: all.suggested } };
  // Each kind counted over every event; a limit, when given, caps only the list.
  const cut = perKind(all.events, all.suggested, eventsPerKind);
  return {
    report,
    events: eventsLimit === undefined ? cut : { ...cut, events: cut.events.slice(0, eventsLimit) },
  };
}

/** The first `n` events of each kind, in the list's order, and how many of each kind there are. */
function perKind(events: AvailableEvent[], suggested: string | null, n: number): EventList {
  const kinds: Partial<Record<EventKind, number>> = {};
  const kept = events.filter((e) => {
    kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
    return kinds[e.kind]! <= n;
  });
  return kept.length === events.length ? { events, suggested } : { events: kept, suggested, kinds };
}

function reportOf(ctx: ReportContext, q: ReportQuery): Report {
  const event = ctx.selectEvent(q.event);
  const sources = sourceRows(ctx, event, ctx.range, q.sourcesLimit);
  const totals = { ...totalsOf(ctx, event, sources.invested), ...sources.started };
  const { granularity, series } = seriesOf(ctx, event);
  return {
    phone: { id: ctx.phone.id, display: ctx.phone.display, name: ctx.phone.name },
    range: { from: ctx.range.from, to: ctx.range.to, timezone: ctx.range.timezone },
    event,
    totals,
    previous: previousTotals(ctx, event, q.compare),
    paid: paidTotals(ctx, event, sources.paid),
    ...firstRows(ctx, event, sources),
    funnel: funnelOf(ctx, q.funnel ?? (event ? [event.id] : []), totals.conversations),
    series,
    seriesGranularity: granularity,
    unattributedExternalEvents: ctx.unattributed(event),
    model: ctx.model,
  };
}

/** The rows a `sourcesLimit` let through, and how many there are; the rest kept for `report.sources`. */
function firstRows(
  ctx: ReportContext,
  event: ReportEvent | null,
  rows: SourceRows,
): { sources: SourceRow[]; sourcesTotal?: number } {
  if (rows.rows.length === rows.count) return { sources: rows.rows };
  rememberRows(ctx, event, rows.all);
  return { sources: rows.rows, sourcesTotal: rows.count };
}

/** Every source row of a report's query: kept from the report just asked with `sourcesLimit`, else counted. */
export function listSources(db: Db, q: SourcesQuery, opts: ReportOptions = {}): { sources: SourceRow[] } {
  const ctx = new ReportContext(db, q.phone, q.range, q.timezone, { ...opts, model: q.model });
  const event = ctx.selectEvent(q.event);
  return { sources: rememberedRows(ctx, event)?.() ?? sourceRows(ctx, event).rows };
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
