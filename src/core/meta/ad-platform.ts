import type { AdDetails, AdPlatform, SpendSummary } from '../attribution/report/ad-platform';
import type { Db } from '../db/open';
import { cachedStatement } from '../db/statements';

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
