import type { AdDetails, AdPlatform, SpendSummary } from '../attribution/report/ad-platform';
import type { Db } from '../db/open';
import { cachedStatement, jsonColumns } from '../db/statements';

// Meta as the report's ad platform: `ad:<ad id>` sources (a Click-to-WhatsApp referral's source_id), their
// synced daily spend (meta_spend, with running totals in attr_spend_cum from migration 0007) and names
// (meta_ads). Meta's dates are plain dates (docs/metrics.md, "invested").

/** Ads of the selected ad accounts linked to this number. */
function linkedAds(db: Db, phone: string): string[] {
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
// All ads' rows come back as one JSON text per column (jsonColumns): hundreds of rows handed over one by one cost more.
const SPEND_SQL = `
  SELECT json_group_array(k.ad_id), json_group_array(k.currency),
    json_group_array(CASE WHEN k.last_date <= @to THEN ${packed('k')} ELSE ${lastBefore('<=', '@to')} END),
    json_group_array(${lastBefore('<', '@from')})
  FROM json_each(@ads) j CROSS JOIN attr_spend_ads k ON k.ad_id = j.value`;
const FIELDS = 5;
/** Adds (sign 1) or subtracts (sign -1) a packed running total into `into`, without allocating per row. */
function addPacked(into: number[], v: string | null, sign: number): void {
  if (v === null) return;
  let field = 0;
  let start = 0;
  for (let i = 0; i <= v.length; i++) {
    if (i === v.length || v.charCodeAt(i) === 44 /* , */) {
      into[field++]! += sign * Number(v.slice(start, i));
      start = i + 1;
    }
  }
}

export function spendSummary(db: Db, adIds: string[], from: string, to: string): Map<string, SpendSummary> {
  const out = new Map<string, SpendSummary>();
  if (adIds.length === 0) return out;
  const [ads, currencies, throughs, befores] = jsonColumns<
    [string[], string[], (string | null)[], (string | null)[]]
  >(cachedStatement(db, SPEND_SQL), { ads: JSON.stringify(adIds), from, to });
  const d = new Array<number>(FIELDS);
  for (let i = 0; i < ads.length; i++) {
    const ad = ads[i]!;
    const cur = currencies[i]!;
    d.fill(0);
    addPacked(d, throughs[i]!, 1);
    addPacked(d, befores[i]!, -1);
    const [micro, impressions, clicks, started, days] = d as [number, number, number, number, number];
    if (!days) continue;
    let s = out.get(ad);
    if (!s) {
      s = { spend: new Map<string, number>(), impressions: 0, clicks: 0, started: 0 };
      out.set(ad, s);
    }
    s.spend.set(cur, micro / 1_000_000);
    s.impressions += impressions;
    s.clicks += clicks;
    s.started += started;
  }
  return out;
}

function dailySpend(db: Db, ad: string, from: string, to: string) {
  return cachedStatement(
    db,
    'SELECT date, currency, SUM(spend) AS spend FROM meta_spend WHERE ad_id = ? AND date BETWEEN ? AND ? GROUP BY date, currency',
  ).all(ad, from, to) as { date: string; currency: string; spend: number }[];
}

/** Campaign/ad set names and delivery figures of ads, for the optional `meta` block. */
export function metaDetails(
  db: Db,
  adIds: string[],
  stats: Map<string, SpendSummary>,
): Map<string, AdDetails> {
  const out = new Map<string, AdDetails>();
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

export const metaAdPlatform: AdPlatform = {
  keyPrefix: 'ad',
  kind: 'meta_ad',
  investedFrom: 'meta',
  linkedAds,
  spend: spendSummary,
  dailySpend,
  details: metaDetails,
};
