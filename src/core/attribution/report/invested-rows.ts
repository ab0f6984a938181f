import { jsonColumns } from '../../db/statements';
import type { SpendSummary } from './ad-platform';
import { adOfKey, adPlatforms, linkedAdKeys, spendOfKeys } from './ad-platforms';
import type { Aggregator } from './aggregates';
import type { ReportContext } from './context';
import { importedSpend } from './imported-spend';
import { computeInvested, type Invested, type ManualEntry, manualEntries } from './invested';
import type { ResolvedRange } from './range';

// Which sources of a range have an Invested amount (ads with conversations or spend, manual entries,
// imported spend), and that amount: the source rows' and, without building them, the totals'.

/** Source keys with an Invested figure in a range, the spend of their ads, the manual entries and imported spend. */
export interface InvestedRows {
  keys: string[];
  spend: Map<string, SpendSummary>;
  manual: Map<string, ManualEntry[]>;
  imported: Map<string, Map<string, number>>;
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
export function investedRows(
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
export function invested(
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
