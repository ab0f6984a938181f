import type { SourceKind, SourceRow, Totals } from '../../../shared/contract';
import { conversationsStartedOf, costPerConversationStarted, ratesOf } from '../../../shared/rates';
import { type CsvRow, sourcesCsv } from '../../../shared/table-csv';

export type GroupAds = 'none' | 'campaign' | 'adset';

/** One row of the source table: a source, a campaign/ad set group, or a source folded into "Other first messages". */
export interface TableRow {
  id: string;
  kind: SourceKind | 'group';
  name: string;
  conversations: number;
  leads: number | null;
  conversionRate: number | null;
  invested: number | null;
  investedFrom: SourceRow['investedFrom'];
  investedOther: Record<string, number>;
  costPerLead: number | null;
  revenue: number | null;
  revenueOther: Record<string, number>;
  roas: number | null;
  /** Distinct contacts (a source's own; null for groups and folded children: not additive). */
  contacts: number | null;
  /** Meta's delivery of ad sources (summed for groups); null without Meta's figures. */
  impressions: number | null;
  clicks: number | null;
  started: number | null;
  /** Invested ÷ Meta's conversations started over the ad sources that have the figure (rates.ts). */
  costPerConversationStarted: number | null;
  /** The report's row behind it (null for groups and folded children): rename and invest act on it. */
  source: SourceRow | null;
  subRows?: TableRow[];
  /** "Campaign" / "Ad set" for group rows. */
  groupLabel?: string;
}

export function fromSource(s: SourceRow): TableRow {
  const row: TableRow = {
    id: s.id,
    kind: s.kind,
    name: s.name,
    conversations: s.conversations,
    leads: s.leads,
    conversionRate: s.conversionRate,
    invested: s.invested,
    investedFrom: s.investedFrom,
    investedOther: s.investedOther,
    costPerLead: s.costPerLead,
    revenue: s.revenue,
    revenueOther: s.revenueOther,
    roas: s.roas,
    contacts: s.contacts,
    impressions: s.meta?.impressions ?? null,
    clicks: s.meta?.clicks ?? null,
    started: s.meta?.metaConversationsStarted ?? null,
    costPerConversationStarted: costPerConversationStarted(
      s.invested,
      s.meta?.metaConversationsStarted ?? null,
    ),
    source: s,
  };
  if (s.children && s.children.length > 0) {
    // The rollup knows only each folded source's conversations; the other cells stay "—".
    row.subRows = s.children.map((c) => ({
      id: c.id,
      kind: 'first_message' as const,
      name: c.name,
      conversations: c.conversations,
      leads: null,
      conversionRate: null,
      invested: null,
      investedFrom: null,
      investedOther: {},
      costPerLead: null,
      revenue: null,
      revenueOther: {},
      roas: null,
      ...NO_DELIVERY,
      source: null,
    }));
  }
  return row;
}

const NO_DELIVERY = {
  contacts: null,
  impressions: null,
  clicks: null,
  started: null,
  costPerConversationStarted: null,
};

/** The report's source rows under table rows (a group's members; a rollup is one source). */
const leafSources = (rows: readonly TableRow[]): SourceRow[] =>
  rows.flatMap((r) => (r.source ? [r.source] : r.subRows ? leafSources(r.subRows) : []));

/** Meta's delivery summed over rows; the cost per conversation started over their sources (rates.ts). */
function deliveryOf(rows: readonly TableRow[]) {
  return {
    impressions: sumNullable(rows.map((r) => r.impressions)),
    clicks: sumNullable(rows.map((r) => r.clicks)),
    started: sumNullable(rows.map((r) => r.started)),
    costPerConversationStarted: conversationsStartedOf(leafSources(rows)).costPerConversationStarted,
  };
}

const sumNullable = (vals: (number | null)[]): number | null =>
  vals.some((v) => v !== null) ? vals.reduce<number>((a, v) => a + (v ?? 0), 0) : null;

function sumOther(maps: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of maps) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** Sums like the report's totals: counts and money add up, rates are recomputed from the sums. */
export function sumRows(id: string, name: string, rows: TableRow[], groupLabel: string): TableRow {
  const conversations = rows.reduce((a, r) => a + r.conversations, 0);
  const leads = rows.reduce((a, r) => a + (r.leads ?? 0), 0);
  const invested = sumNullable(rows.map((r) => r.invested));
  const revenue = sumNullable(rows.map((r) => r.revenue));
  const froms = new Set(rows.map((r) => r.investedFrom).filter((f) => f !== null));
  const rates = ratesOf({ conversations, leads, invested, revenue });
  return {
    id,
    kind: 'group',
    name,
    conversations,
    leads,
    conversionRate: rates.conversionRate,
    invested,
    investedFrom: froms.size === 0 ? null : froms.size === 1 ? [...froms][0]! : 'mixed',
    investedOther: sumOther(rows.map((r) => r.investedOther)),
    costPerLead: rates.costPerLead,
    revenue,
    revenueOther: sumOther(rows.map((r) => r.revenueOther)),
    roas: rates.roas,
    contacts: null,
    ...deliveryOf(rows),
    source: null,
    subRows: rows,
    groupLabel,
  };
}

/** Ad sources grouped under their campaign or ad set (when Meta names are synced); other sources stay flat. */
export function buildRows(sources: readonly SourceRow[], groupAds: GroupAds): TableRow[] {
  if (groupAds === 'none') return sources.map(fromSource);
  const out: TableRow[] = [];
  const groups = new Map<string, { name: string; rows: TableRow[] }>();
  for (const s of sources) {
    const key = groupAds === 'campaign' ? s.meta?.campaignId : s.meta?.adsetId;
    if (s.kind !== 'meta_ad' || !key) {
      out.push(fromSource(s));
      continue;
    }
    const name = (groupAds === 'campaign' ? s.meta?.campaignName : s.meta?.adsetName) ?? key;
    let g = groups.get(key);
    if (!g) {
      g = { name, rows: [] };
      groups.set(key, g);
    }
    g.rows.push(fromSource(s));
  }
  const label = groupAds === 'campaign' ? 'Campaign' : 'Ad set';
  for (const [key, g] of groups) out.push(sumRows(`group:${groupAds}:${key}`, g.name, g.rows, label));
  return out;
}

/** Case-insensitive search over names and ids; a group or rollup stays when one of its members matches. */
export function searchRows(rows: readonly TableRow[], query: string): TableRow[] {
  const q = query.trim().toLocaleLowerCase();
  if (!q) return [...rows];
  const hit = (r: TableRow) => r.name.toLocaleLowerCase().includes(q) || r.id.toLocaleLowerCase().includes(q);
  const out: TableRow[] = [];
  for (const r of rows) {
    if (hit(r)) out.push(r);
    else if (r.subRows?.some(hit)) out.push({ ...r, subRows: r.subRows.filter(hit) });
  }
  return out;
}

export const KIND_BADGE: Record<TableRow['kind'], string | null> = {
  meta_ad: 'Ad',
  meta_post: 'Post',
  outgoing: 'Outgoing',
  keyword: 'Keyword',
  first_message: 'First message',
  rollup: null,
  group: null,
};

const csvLine = (row: TableRow, depth: number): CsvRow => ({
  ...row,
  id: row.kind === 'group' ? '' : row.id,
  kind: row.kind === 'group' ? (row.groupLabel ?? 'Group') : row.kind,
  depth,
});

/** The source table as on screen (same rows, same order, expanded children included) and its totals row. */
export function sourceTableCsv(
  rows: readonly { row: TableRow; depth: number }[],
  total: TableRow,
  currency: string,
): string {
  return sourcesCsv(
    rows.map(({ row, depth }) => csvLine(row, depth)),
    { ...csvLine(total, 0), kind: '' },
    currency,
  );
}

/**
 * The table's Total row: the report's totals, or, while a search hides rows, the sums of the shown rows
 * (labelled as such, so a filtered table never shows a total of rows it does not list).
 */
export function totalRow(totals: Totals, shown: readonly TableRow[], filtered: boolean): TableRow {
  if (filtered) {
    const n = shown.length;
    return {
      ...sumRows('total', `Total of ${n} shown row${n === 1 ? '' : 's'}`, [...shown], ''),
      investedFrom: null,
      subRows: undefined,
    };
  }
  return {
    id: 'total',
    kind: 'group',
    name: 'Total',
    conversations: totals.conversations,
    leads: totals.leads,
    conversionRate: totals.conversionRate,
    invested: totals.invested,
    investedFrom: null,
    investedOther: totals.investedOther,
    costPerLead: totals.costPerLead,
    revenue: totals.revenue,
    revenueOther: totals.revenueOther,
    roas: totals.roas,
    ...deliveryOf(shown),
    contacts: totals.contacts,
    costPerConversationStarted: totals.costPerConversationStarted ?? null,
    source: null,
  };
}
