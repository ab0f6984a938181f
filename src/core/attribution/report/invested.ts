import type { Db } from '../../db/open';
import { cachedStatement } from '../../db/statements';
import { dayOfDate } from '../days';

// Invested (docs/metrics.md): synced Meta spend of an ad on the range's dates (Meta's dates as plain dates),
// and manual entries prorated by overlapping days. Per day the most recently saved entry wins over older
// entries and over Meta spend; entries never add up.

export interface Invested {
  /** In the workspace currency; null when nothing in that currency overlaps the range. */
  invested: number | null;
  other: Record<string, number>;
  from: 'meta' | 'manual' | 'mixed' | null;
}

export interface ManualEntry {
  id: number;
  source_key: string;
  amount: number;
  currency: string;
  from_date: string;
  to_date: string;
  saved_at: number;
}

export interface MetaDetails {
  campaignId: string | null;
  campaignName: string | null;
  adsetId: string | null;
  adsetName: string | null;
  impressions: number | null;
  clicks: number | null;
  metaConversationsStarted: number | null;
}

export const adIdOf = (key: string): string | null => (key.startsWith('ad:') ? key.slice(3) : null);

/** Manual entries overlapping [from, to], oldest first. */
export function manualEntries(db: Db, from: string, to: string): Map<string, ManualEntry[]> {
  const rows = cachedStatement(
    db,
    'SELECT * FROM attr_investments WHERE to_date >= ? AND from_date <= ? ORDER BY id',
  ).all(from, to) as ManualEntry[];
  const out = new Map<string, ManualEntry[]>();
  for (const r of rows) {
    const list = out.get(r.source_key);
    if (list) list.push(r);
    else out.set(r.source_key, [r]);
  }
  return out;
}

/** Ads of the selected ad accounts linked to this number: source rows when they have spend in the range. */
export function linkedAds(db: Db, phone: string): string[] {
  return cachedStatement(
    db,
    `SELECT a.ad_id FROM meta_ads a
       WHERE a.account_id IN (
         SELECT m.id FROM meta_account_numbers n JOIN meta_accounts m ON m.id = n.account_id
         WHERE n.phone_number_id = @phone AND m.selected = 1
         UNION SELECT m.account_id FROM meta_account_numbers n JOIN meta_accounts m ON m.id = n.account_id
         WHERE n.phone_number_id = @phone AND m.selected = 1)`,
  )
    .pluck()
    .all({ phone }) as string[];
}

export function computeInvested(
  db: Db,
  keys: string[],
  from: string,
  to: string,
  currency: string,
  manual: Map<string, ManualEntry[]>,
  /** Spend of every ad among `keys` over [from, to] (spendSummary). */
  spend: Map<string, SpendSummary>,
): Map<string, Invested> {
  const out = new Map<string, Invested>();
  for (const key of keys) {
    const ad = adIdOf(key);
    const entries = manual.get(key);
    out.set(
      key,
      entries
        ? withEntries(db, ad, entries, from, to, currency)
        : split(ad ? spend.get(ad)?.spend : undefined, currency, ad ? 'meta' : null),
    );
  }
  return out;
}

/** Sums per currency as Invested: the workspace currency, the others apart. */
function split(sums: Map<string, number> | undefined, currency: string, from: Invested['from']): Invested {
  if (!sums || sums.size === 0) return { invested: null, other: {}, from: null };
  const other: Record<string, number> = {};
  for (const [cur, amount] of sums) if (cur !== currency) other[cur] = amount;
  return { invested: sums.get(currency) ?? null, other, from };
}

/** Winner per day: the most recently saved entry covering it, else that day's Meta spend. */
function withEntries(
  db: Db,
  ad: string | null,
  entries: ManualEntry[],
  from: string,
  to: string,
  currency: string,
): Invested {
  const sums = new Map<string, number>();
  const add = (cur: string, amount: number) => sums.set(cur, (sums.get(cur) ?? 0) + amount);
  const spans = entries.map((e) => ({ e, from: dayOfDate(e.from_date), to: dayOfDate(e.to_date), won: 0 }));
  const wonDays = new Set<number>();
  for (let d = dayOfDate(from); d <= dayOfDate(to); d++) {
    for (let i = spans.length - 1; i >= 0; i--) {
      const s = spans[i]!;
      if (d >= s.from && d <= s.to) {
        s.won++;
        wonDays.add(d);
        break;
      }
    }
  }
  let man = false;
  for (const s of spans) {
    if (s.won === 0) continue;
    add(s.e.currency, (s.e.amount * s.won) / (s.to - s.from + 1));
    man = true;
  }
  let meta = false;
  if (ad) {
    const daily = cachedStatement(
      db,
      'SELECT date, currency, SUM(spend) AS spend FROM meta_spend WHERE ad_id = ? AND date BETWEEN ? AND ? GROUP BY date, currency',
    );
    for (const r of daily.all(ad, from, to) as { date: string; currency: string; spend: number }[]) {
      if (wonDays.has(dayOfDate(r.date))) continue;
      add(r.currency, r.spend);
      meta = true;
    }
  }
  return split(sums, currency, meta && man ? 'mixed' : meta ? 'meta' : man ? 'manual' : null);
}

/** Campaign/ad set names and delivery figures of ad sources, for the optional `meta` block. */
export function metaDetails(
  db: Db,
  adIds: string[],
  stats: Map<string, SpendSummary>,
): Map<string, MetaDetails & { adName: string | null }> {
  const out = new Map<string, MetaDetails & { adName: string | null }>();
  if (adIds.length === 0) return out;
  const ids = JSON.stringify(adIds);
  const ads = cachedStatement(
    db,
    'SELECT a.ad_id, a.name, a.adset_id, a.adset_name, a.campaign_id, a.campaign_name FROM json_each(?) j CROSS JOIN meta_ads a WHERE a.ad_id = j.value',
  ).all(ids) as {
    ad_id: string;
    name: string | null;
    adset_id: string | null;
    adset_name: string | null;
    campaign_id: string | null;
    campaign_name: string | null;
  }[];
  for (const a of ads) {
    const s = stats.get(a.ad_id);
    out.set(a.ad_id, {
      adName: a.name,
      campaignId: a.campaign_id,
      campaignName: a.campaign_name,
      adsetId: a.adset_id,
      adsetName: a.adset_name,
      impressions: s?.impressions ?? null,
      clicks: s?.clicks ?? null,
      metaConversationsStarted: s?.started ?? null,
    });
  }
  return out;
}

/** "Campaign › Ad set › Ad" from the synced names, or null when the ad's name is unknown. */
export function metaName(
  d: { adName: string | null; campaignName: string | null; adsetName: string | null } | undefined,
): string | null {
  if (!d?.adName) return null;
  return [d.campaignName, d.adsetName, d.adName].filter((x): x is string => !!x).join(' › ');
}

export interface SpendSummary {
  spend: Map<string, number>;
  impressions: number;
  clicks: number;
  started: number;
}

/**
 * Spend and delivery of ads over [from, to] that have spend rows in it: the running total through `to`
 * (the ad's totals when `to` is past its last date) minus the one before `from` (migration 0007).
 */
// A running total comes back packed in one column, so finding it is one index seek.
const packed = (t: string) =>
  `${t}.spend || ',' || ${t}.impressions || ',' || ${t}.clicks || ',' || ${t}.started || ',' || ${t}.days`;
const lastBefore = (op: '<' | '<=', bound: string) =>
  `(SELECT ${packed('c')} FROM attr_spend_cum c WHERE c.ad_id = k.ad_id AND c.currency = k.currency AND c.date ${op} ${bound}
    ORDER BY c.date DESC LIMIT 1)`;
const SPEND_SQL = `
  SELECT k.ad_id, k.currency, CASE WHEN k.last_date <= @to THEN ${packed('k')} ELSE ${lastBefore('<=', '@to')} END,
    ${lastBefore('<', '@from')}
  FROM json_each(@ads) j CROSS JOIN attr_spend_ads k ON k.ad_id = j.value`;
const unpack = (v: string | null) => (v === null ? [0, 0, 0, 0, 0] : v.split(',').map(Number));

export function spendSummary(db: Db, adIds: string[], from: string, to: string): Map<string, SpendSummary> {
  const out = new Map<string, SpendSummary>();
  if (adIds.length === 0) return out;
  const rows = cachedStatement(db, SPEND_SQL)
    .raw()
    .all({ ads: JSON.stringify(adIds), from, to }) as [string, string, string | null, string | null][];
  for (const [ad, cur, through, before] of rows) {
    const hi = unpack(through);
    const lo = unpack(before);
    const [micro, impressions, clicks, started, days] = hi.map((x, i) => x - lo[i]!) as number[];
    if (!days) continue;
    const s = out.get(ad) ?? { spend: new Map<string, number>(), impressions: 0, clicks: 0, started: 0 };
    out.set(ad, s);
    s.spend.set(cur, micro! / 1_000_000);
    s.impressions += impressions!;
    s.clicks += clicks!;
    s.started += started!;
  }
  return out;
}
