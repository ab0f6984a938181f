import type { ReportEvent, SourceKind, SourceRow } from '../../../shared/contract/report';
import { ratesOf } from '../../../shared/rates';
import { parseSourceKey, ROLLUP_KEY, restOf } from '../../../shared/source-keys';
import { cachedStatement, jsonColumns } from '../../db/statements';
import { templateNameForReply } from '../../dialog360/templates';
import { adDisplayName, type SpendSummary } from './ad-platform';
import { adOfKey, adPlatforms, detailsOfKeys, linkedAdKeys, spendOfKeys } from './ad-platforms';
import { type Aggregator, emptyAgg, type SourceAgg } from './aggregates';
import type { ReportContext } from './context';
import { importedSpend } from './imported-spend';
import { computeInvested, type Invested, type ManualEntry, manualEntries } from './invested';
import type { ResolvedRange } from './range';
import { addAgg, mergeInvested } from './sums';

// The source rows of a range: counts per source, names, Invested, and the rollup of small first messages.

export const ROLLUP_ID = ROLLUP_KEY;
export const ROLLUP_NAME = 'Other first messages';

/** What a source row shows besides its counts: its key, kind, derived name and the user's rename. */
interface SourceInfo {
  key: string;
  kind: string;
  name: string | null;
  rename: string | null;
}

/** Source keys with an Invested figure in a range, the spend of their ads, the manual entries and imported spend. */
interface InvestedRows {
  keys: string[];
  spend: Map<string, SpendSummary>;
  manual: Map<string, ManualEntry[]>;
  imported: Map<string, Map<string, number>>;
}

/** A first-message source folded into the rollup row. */
interface Folded {
  key: string;
  id: number | null;
  name: string;
  agg: SourceAgg;
  inv: Invested | undefined;
}

/** The sums over the sources (folded ones included) that have an Invested amount. */
export interface PaidSums {
  sources: number;
  agg: SourceAgg;
  invested: Invested;
}

export interface SourceRows {
  rows: SourceRow[];
  /** Invested of every source row by key (folded ones included): the totals' Invested is their sum. */
  invested: Map<string, Invested>;
  paid: PaidSums;
}

/** Source rows' info by key, in one statement; a key never derived (an ad with spend only) has just its rename. */
function sourceInfos(
  ctx: ReportContext,
  keys: string[],
): Map<string, { id: number | null; info: SourceInfo }> {
  const rows = ctx
    .q(
      `SELECT j.value AS key, s.id, s.kind, s.name, nm.name AS rename FROM json_each(?) j
       LEFT JOIN ${ctx.p}sources s ON s.key = j.value LEFT JOIN attr_source_names nm ON nm.source_key = j.value`,
    )
    .all(JSON.stringify(keys)) as (SourceInfo & { id: number | null })[];
  return new Map(
    rows.map(({ id, key, kind, name, rename }) => [
      key,
      {
        id,
        info: { key, kind: kind ?? adOfKey(key)?.platform.kind ?? 'first_message', name, rename },
      },
    ]),
  );
}

/** A source row before it is built: its source id (null: never derived), info and counts. */
interface Counted {
  id: number | null;
  info: SourceInfo;
  agg: SourceAgg;
}

/** The sources counted in a range by key, with their info read in one statement (ids without a source row are left out). */
function countedSources(ctx: ReportContext, counts: Map<number, SourceAgg>): Map<string, Counted> {
  const [id, key, kind, name] = jsonColumns<[number[], string[], string[], (string | null)[]]>(
    cachedStatement(
      ctx.db,
      `SELECT json_group_array(s.id), json_group_array(s.key), json_group_array(s.kind), json_group_array(s.name)
       FROM json_each(?) j JOIN ${ctx.p}sources s ON s.id = j.value`,
    ),
    JSON.stringify([...counts.keys()]),
  );
  // Renames are the user's, so few: read whole, they cost less than a lookup per source.
  const renames = JSON.parse(
    cachedStatement(ctx.db, 'SELECT json_group_object(source_key, name) FROM attr_source_names')
      .pluck()
      .get() as string,
  ) as Record<string, string>;
  const out = new Map<string, Counted>();
  for (let i = 0; i < id.length; i++) {
    const k = key[i]!;
    out.set(k, {
      id: id[i]!,
      info: {
        key: k,
        kind: kind[i]!,
        name: name[i]!,
        rename: Object.hasOwn(renames, k) ? renames[k]! : null,
      },
      agg: counts.get(id[i]!)!,
    });
  }
  return out;
}

/** The keys among `keys` of sources that ever had a conversation on the report's numbers (one statement). */
function everOnNumber(ctx: ReportContext, keys: string[]): Set<string> {
  if (keys.length === 0) return new Set();
  const [found] = jsonColumns<[string[]]>(
    ctx.q(
      `SELECT json_group_array(j.value) FROM json_each(?) j WHERE EXISTS (
         SELECT 1 FROM ${ctx.p}sources s JOIN ${ctx.p}conversations c ON c.source = s.id
         WHERE s.key = j.value AND ${ctx.phoneIn('c.phone')})`,
    ),
    JSON.stringify(keys),
    ctx.phoneArg,
  );
  return new Set(found);
}

/**
 * Source keys with an Invested figure that are rows of the range (ads with conversations, linked ads
 * with spend, sources of this number with manual entries or imported spend), and the spend of every ad among them.
 */
function investedRows(
  ctx: ReportContext,
  r: ResolvedRange,
  agg: Aggregator,
  /** The range's source rows by key (conversation model), or null to find its ads with conversations. */
  withConversations: ReadonlyMap<string, unknown> | null,
): InvestedRows {
  const keys = new Set<string>();
  if (withConversations) for (const k of withConversations.keys()) if (adOfKey(k)) keys.add(k);
  const linked = [...new Set(ctx.phones.flatMap((phone) => linkedAdKeys(ctx.db, phone)))];
  const spend = spendOfKeys(ctx.db, new Set([...keys, ...linked]), r.from, r.to);
  for (const key of linked) {
    const s = spend.get(key);
    if (s && [...s.spend.values()].some((v) => v > 0)) keys.add(key);
  }
  const extraAds: string[] = [];
  if (!withConversations) {
    // The ads with a conversation in the range, but those already in (linked, with spend): an index seek
    // each, so a workspace whose ads are all linked checks none.
    const known = [...keys];
    for (const kind of new Set(adPlatforms().map((pl) => pl.kind)))
      for (const key of agg.sourceKeysOfKindInRange(kind, known))
        if (adOfKey(key)) {
          keys.add(key);
          if (!spend.has(key)) extraAds.push(key);
        }
  }
  const manual = manualEntries(ctx.db, r.from, r.to);
  const imported = importedSpend(ctx.db, r.from, r.to);
  const entered = [...new Set([...manual.keys(), ...imported.keys()])].filter((k) => !keys.has(k));
  const onNumber = everOnNumber(
    ctx,
    entered.filter((k) => !withConversations?.has(k)),
  );
  for (const key of entered) {
    if (!withConversations?.has(key) && !onNumber.has(key)) continue;
    keys.add(key);
    if (adOfKey(key)) extraAds.push(key);
  }
  for (const [key, s] of spendOfKeys(ctx.db, extraAds, r.from, r.to)) spend.set(key, s);
  return { keys: [...keys], spend, manual, imported };
}

/** Invested of `keys` (rows of the range found by investedRows, plus any added for display). */
function invested(
  ctx: ReportContext,
  keys: string[],
  r: ResolvedRange,
  rows: InvestedRows,
): Map<string, Invested> {
  return computeInvested(
    ctx.db,
    keys,
    r.from,
    r.to,
    ctx.settings.currency,
    rows.manual,
    rows.spend,
    rows.imported,
  );
}

/** Invested of every source row of a range, without building the rows (the totals of a range shown alone). */
export function investedOfRange(ctx: ReportContext, r: ResolvedRange = ctx.range): Map<string, Invested> {
  const rows = investedRows(ctx, r, ctx.aggregator(r), null);
  return invested(ctx, rows.keys, r, rows);
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

/** Source rows sorted by conversations descending, then id; small first-message sources folded into one row. */
export function sourceRows(
  ctx: ReportContext,
  event: ReportEvent | null,
  r: ResolvedRange = ctx.range,
): SourceRows {
  const agg = ctx.aggregator(r);
  const ev = event ? ctx.eventId(event.id) : null;
  const counts = event && ev === null ? agg.sources(null) : agg.sources(ev);
  const byKey = countedSources(ctx, counts);
  // Invested stays with the source that spent it: in another model, the rows with an Invested amount are
  // the conversation model's (ads found by their own conversations), so the totals do not change.
  const withInvested = investedRows(ctx, r, agg, ctx.model === 'conversation' ? byKey : null);
  const extra = sourceInfos(
    ctx,
    withInvested.keys.filter((k) => !byKey.has(k)),
  );
  for (const [key, x] of extra)
    byKey.set(key, { ...x, agg: { conversations: 0, contacts: 0, leads: 0, revenue: new Map() } });
  // Only the keys investedRows found can have an Invested amount; every other row's is none (null).
  const inv = invested(ctx, withInvested.keys, r, withInvested);
  const details = detailsOfKeys(ctx.db, byKey.keys(), withInvested.spend);
  const rows: SourceRow[] = [];
  const folded: Folded[] = [];
  const paid = { sources: 0, agg: emptyAgg(), invested: [] as Invested[] };
  for (const [key, s] of byKey) {
    const i = inv.get(key);
    if (i && i.invested !== null) {
      paid.sources++;
      addAgg(paid.agg, s.agg);
      paid.invested.push(i);
    }
    const d = details.get(key);
    const name =
      s.info.rename ??
      adDisplayName(d) ??
      templateReplyName(ctx, key, s.info.name) ??
      s.info.name ??
      defaultName(key);
    if (s.info.kind === 'first_message' && s.agg.conversations < ctx.settings.rollupThreshold) {
      folded.push({ key, id: s.id, name, agg: s.agg, inv: inv.get(key) });
      continue;
    }
    const row = sourceRow(ctx, key, s.info.kind as SourceKind, name, s.agg, inv.get(key), event);
    if (d) {
      const { adName: _, ...rest } = d;
      row.meta = rest;
    }
    rows.push(row);
  }
  if (folded.length > 0) rows.push(rollup(ctx, folded, agg, event));
  return {
    rows: rows.sort((a, b) => b.conversations - a.conversations || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    invested: inv,
    paid: {
      sources: paid.sources,
      agg: paid.agg,
      invested: mergeInvested(paid.invested.map((i) => ({ invested: i.invested, investedOther: i.other }))),
    },
  };
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

/** One row for the folded first-message sources; their own rows are never built, only listed. */
function rollup(ctx: ReportContext, folded: Folded[], agg: Aggregator, event: ReportEvent | null): SourceRow {
  const a = emptyAgg();
  for (const f of folded) addAgg(a, f.agg, event?.kind === 'external');
  a.contacts = agg.distinctContacts(folded.map((f) => f.id).filter((x): x is number => x !== null));
  // Most folded sources have no Invested amount (their entry is absent): they add nothing.
  const inv = mergeInvested(
    folded.flatMap((f) => (f.inv ? [{ invested: f.inv.invested, investedOther: f.inv.other }] : [])),
  );
  const row = sourceRow(ctx, ROLLUP_ID, 'rollup', ROLLUP_NAME, a, inv, event);
  row.children = folded
    .map((f) => ({ id: f.key, name: f.name, conversations: f.agg.conversations }))
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
