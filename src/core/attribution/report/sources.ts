import type { ReportEvent, SourceKind, SourceRow } from '../../../shared/contract/report';
import { conversationsStartedOf, ratesOf } from '../../../shared/rates';
import { parseSourceKey, ROLLUP_KEY, restOf } from '../../../shared/source-keys';
import { cachedStatement } from '../../db/statements';
import { templateNameForReply } from '../../dialog360/templates';
import { type AdDetails, adDisplayName } from './ad-platform';
import { adOfKey, detailsOfKeys } from './ad-platforms';
import { type Aggregator, emptyAgg, type SourceAgg } from './aggregates';
import type { ReportContext } from './context';
import type { Invested } from './invested';
import { invested, investedRows } from './invested-rows';
import type { ResolvedRange } from './range';
import { sourceHandles, sourceNames } from './source-handles';
import { addAgg, mergeInvested } from './sums';

// The source rows of a range: counts per source, names, Invested, and the rollup of small first messages.

export const ROLLUP_ID = ROLLUP_KEY;
export const ROLLUP_NAME = 'Other first messages';

/** The sums over the sources (folded ones included) that have an Invested amount. */
export interface PaidSums {
  sources: number;
  agg: SourceAgg;
  invested: Invested;
}

export interface SourceRows {
  /** The first `limit` rows in order (every row without a limit). */
  rows: SourceRow[];
  /** How many rows there are in all. */
  count: number;
  /** Every row in order: those past `limit` are built on the first call. */
  all(): SourceRow[];
  /** Invested of every source row by key (folded ones included): the totals' Invested is their sum. */
  invested: Map<string, Invested>;
  paid: PaidSums;
  /** Conversations started on the ad platforms and their cost, over every row. */
  started: ReturnType<typeof conversationsStartedOf>;
}

/** A source row before it is built: its key, source id (null: never derived), kind and counts. */
interface Counted {
  key: string;
  id: number | null;
  kind: string;
  agg: SourceAgg;
}

/** The sources counted in a range by key (ids without a source row are left out). */
function countedSources(ctx: ReportContext, counts: Map<number, SourceAgg>): Map<string, Counted> {
  const handles = sourceHandles(ctx.db, ctx.p, counts.keys());
  const out = new Map<string, Counted>();
  for (const [id, agg] of counts) {
    const h = handles.get(id);
    if (h) out.set(h.key, { key: h.key, id, kind: h.kind, agg });
  }
  return out;
}

/** Sources with an Invested amount but no conversation counted, by key, with their stored names. */
function uncountedSources(
  ctx: ReportContext,
  keys: string[],
): Map<string, { id: number | null; kind: string; name: string | null }> {
  const rows = ctx
    .q(
      `SELECT j.value AS key, s.id, s.kind, s.name FROM json_each(?) j LEFT JOIN ${ctx.p}sources s ON s.key = j.value`,
    )
    .all(JSON.stringify(keys)) as {
    key: string;
    id: number | null;
    kind: string | null;
    name: string | null;
  }[];
  return new Map(
    rows.map(({ key, id, kind, name }) => [
      key,
      { id, kind: kind ?? adOfKey(key)?.platform.kind ?? 'first_message', name },
    ]),
  );
}

/**
 * A `reply:` source whose button text matches exactly one quick-reply button of one fetched template
 * is shown with that template's name; its id stays `reply:` (templates synced from 360dialog, docs/ingestion.md).
 */
function templateReplyName(ctx: ReportContext, key: string, buttonText: string | null): string | null {
  if (!buttonText || restOf(key, 'reply') === null) return null;
  for (const phone of ctx.phones) {
    const name = templateNameForReply(ctx.db, phone, buttonText);
    if (name !== null) return name;
  }
  return null;
}

/** Rows first by conversations descending, then by id. */
const inRowOrder = (a: Counted, b: Counted): number =>
  b.agg.conversations - a.agg.conversations || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * The first `limit` of `rows` in row order, and the others not sorted yet: they all come after the first
 * ones (their conversations are at most the limit-th's, and its ties stay together in the first part).
 */
function firstInOrder(rows: Counted[], limit: number | undefined): { head: Counted[]; tail: Counted[] } {
  if (limit === undefined || rows.length <= limit) return { head: rows.sort(inRowOrder), tail: [] };
  const n = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) n[i] = rows[i]!.agg.conversations;
  n.sort();
  const cut = n[n.length - limit]!;
  const head: Counted[] = [];
  const tail: Counted[] = [];
  for (const s of rows) (s.agg.conversations >= cut ? head : tail).push(s);
  head.sort(inRowOrder);
  for (const s of head.splice(limit)) tail.push(s);
  return { head, tail };
}

/**
 * Source rows sorted by conversations descending, then id; small first-message sources folded into one row.
 * Every source is counted and its Invested found (the totals and the paid figures need them all), but only
 * the first `limit` rows are built (named, priced): the rest when `all()` is first called, which the
 * dashboard does right after through `report.sources` (rows-cache.ts).
 */
export function sourceRows(
  ctx: ReportContext,
  event: ReportEvent | null,
  r: ResolvedRange = ctx.range,
  limit?: number,
): SourceRows {
  const agg = ctx.aggregator(r);
  const ev = event ? ctx.eventId(event.id) : null;
  const counts = event && ev === null ? agg.sources(null) : agg.sources(ev);
  const byKey = countedSources(ctx, counts);
  // Invested stays with the source that spent it: in another model, the rows with an Invested amount are
  // the conversation model's (ads found by their own conversations), so the totals do not change.
  const withInvested = investedRows(ctx, r, agg, ctx.model === 'conversation' ? byKey : null);
  const stored = new Map<string, string | null>();
  for (const [key, x] of uncountedSources(
    ctx,
    withInvested.keys.filter((k) => !byKey.has(k)),
  )) {
    byKey.set(key, { key, id: x.id, kind: x.kind, agg: emptyAgg() });
    stored.set(key, x.name);
  }
  // Only the keys investedRows found can have an Invested amount; every other row's is none (null).
  const inv = invested(ctx, withInvested.keys, r, withInvested);
  const stats = withInvested.spend;
  const order: Counted[] = [];
  const folded: Counted[] = [];
  const paid = { sources: 0, agg: emptyAgg(), invested: [] as Invested[] };
  for (const s of byKey.values()) {
    const i = inv.get(s.key);
    if (i && i.invested !== null) {
      paid.sources++;
      addAgg(paid.agg, s.agg);
      paid.invested.push(i);
    }
    if (s.kind === 'first_message' && s.agg.conversations < ctx.settings.rollupThreshold) folded.push(s);
    else order.push(s);
  }
  if (folded.length > 0) {
    const a = emptyAgg();
    for (const f of folded) addAgg(a, f.agg, event?.kind === 'external');
    order.push({ key: ROLLUP_ID, id: null, kind: 'rollup', agg: a });
  }
  const { head, tail } = firstInOrder(order, limit);

  const renames = sourceRenames(ctx);
  const name = (s: Counted, names: Map<number, string | null>, details: Map<string, AdDetails>): string => {
    const own = s.id === null ? null : (names.get(s.id) ?? stored.get(s.key) ?? null);
    return (
      renames[s.key] ??
      adDisplayName(details.get(s.key)) ??
      templateReplyName(ctx, s.key, own) ??
      own ??
      defaultName(s.key)
    );
  };
  const build = (part: Counted[]): SourceRow[] => {
    const withFolded = part.some((s) => s.kind === 'rollup') ? folded : [];
    const names = sourceNames(
      ctx.db,
      ctx.p,
      [...part, ...withFolded].flatMap((s) => (s.id === null || stored.has(s.key) ? [] : [s.id])),
    );
    const details = detailsOfKeys(
      ctx.db,
      part.map((s) => s.key),
      stats,
    );
    return part.map((s) => {
      if (s.kind === 'rollup')
        return rollup(ctx, s.agg, folded, agg, inv, event, (f) => name(f, names, details));
      const row = sourceRow(
        ctx,
        s.key,
        s.kind as SourceKind,
        name(s, names, details),
        s.agg,
        inv.get(s.key),
        event,
      );
      const d = details.get(s.key);
      if (d) {
        const { adName: _, ...rest } = d;
        row.meta = rest;
      }
      return row;
    });
  };
  const first = build(head);
  let every: SourceRow[] | undefined = tail.length === 0 ? first : undefined;
  return {
    rows: first,
    count: order.length,
    all: () => {
      every ??= [...first, ...build(tail.sort(inRowOrder))];
      return every;
    },
    invested: inv,
    paid: {
      sources: paid.sources,
      agg: paid.agg,
      invested: mergeInvested(paid.invested.map((i) => ({ invested: i.invested, investedOther: i.other }))),
    },
    // Over every row with an ad platform's delivery figures (built or not): what the totals show beside Invested.
    started: conversationsStartedOf(
      [...stats].flatMap(([key, s]) =>
        byKey.has(key)
          ? [{ invested: inv.get(key)?.invested ?? null, meta: { metaConversationsStarted: s.started } }]
          : [],
      ),
    ),
  };
}

/** The user's renames by source key: the user's own, so few, read whole. */
function sourceRenames(ctx: ReportContext): Record<string, string> {
  const renames = JSON.parse(
    cachedStatement(ctx.db, 'SELECT json_group_object(source_key, name) FROM attr_source_names')
      .pluck()
      .get() as string,
  ) as Record<string, string>;
  return Object.setPrototypeOf(renames, null) as Record<string, string>;
}

function sourceRow(
  ctx: ReportContext,
  key: string,
  kind: SourceKind,
  name: string,
  a: SourceAgg,
  inv: Invested | undefined,
  event: ReportEvent | null,
): SourceRow {
  const { revenue, revenueOther } = ctx.revenueOf(a, event);
  const invested = inv?.invested ?? null;
  const r = ratesOf({ conversations: a.conversations, leads: a.leads, invested, revenue });
  return {
    id: key,
    kind,
    name,
    conversations: a.conversations,
    contacts: a.contacts,
    leads: a.leads,
    conversionRate: r.conversionRate,
    invested,
    investedFrom: inv?.from ?? null,
    investedOther: inv?.other ?? {},
    costPerLead: r.costPerLead,
    revenue,
    revenueOther,
    roas: r.roas,
  };
}

/** One row for the folded first-message sources (their sums in `a`); their own rows are never built, only listed. */
function rollup(
  ctx: ReportContext,
  a: SourceAgg,
  folded: Counted[],
  agg: Aggregator,
  inv: Map<string, Invested>,
  event: ReportEvent | null,
  nameOf: (s: Counted) => string,
): SourceRow {
  a.contacts = agg.distinctContacts(folded.map((f) => f.id).filter((x): x is number => x !== null));
  // Most folded sources have no Invested amount (their entry is absent): they add nothing.
  const merged = mergeInvested(
    folded.flatMap((f) => {
      const i = inv.get(f.key);
      return i ? [{ invested: i.invested, investedOther: i.other }] : [];
    }),
  );
  const row = sourceRow(ctx, ROLLUP_ID, 'rollup', ROLLUP_NAME, a, merged, event);
  row.children = folded
    .map((f) => ({ id: f.key, name: nameOf(f), conversations: f.agg.conversations }))
    .sort((x, y) => y.conversations - x.conversations || (x.id < y.id ? -1 : 1));
  return row;
}

/** Display name when no rename, Meta name or referral name exists. */
export function defaultName(key: string): string {
  const { prefix, rest } = parseSourceKey(key);
  if (prefix === 'type') return `(${rest} message)`;
  if (prefix === 'post' || adOfKey(key)) return key;
  return rest;
}
