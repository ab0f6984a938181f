import { dateOfDay, dayOfDate } from '../attribution/days';
import type { AdDetails, AdPlatform, SpendSummary } from '../attribution/report/ad-platform';
import type { Db } from '../db/open';
import { cachedStatement, jsonColumns } from '../db/statements';

// Meta as the report's ad platform: `ad:<ad id>` sources (a Click-to-WhatsApp referral's source_id), their
// synced daily spend (meta_spend, with running totals in attr_spend_cum from migration 0007) and names
// (meta_ads). Meta's dates are plain dates (docs/metrics.md, "invested").

/** Ads of the selected ad accounts linked to this number (one JSON text: see COLUMNS below). */
function linkedAds(db: Db, phone: string): string[] {
  const [ads] = jsonColumns<[string[]]>(
    cachedStatement(
      db,
      `SELECT json_group_array(a.ad_id) FROM meta_ads a
         WHERE a.account_id IN (
           SELECT m.id FROM meta_account_numbers n JOIN meta_accounts m ON m.id = n.account_id
           WHERE n.phone_number_id = @phone AND m.selected = 1
           UNION SELECT m.account_id FROM meta_account_numbers n JOIN meta_accounts m ON m.id = n.account_id
           WHERE n.phone_number_id = @phone AND m.selected = 1)`,
    ),
    { phone },
  );
  return ads;
}

/** A running total of one ad and currency (migration 0007): spend in millionths, impressions, clicks, started, days. */
type Running = [number, number, number, number, number];
// Every query hands its rows over as one JSON array per column (jsonColumns): hundreds of rows one by one
// cost more. A pair is `<ad id> <currency>`.
const COLUMNS = (t: string) =>
  `json_group_array(${t}.ad_id || ' ' || ${t}.currency), json_group_array(${t}.spend), json_group_array(${t}.impressions),
   json_group_array(${t}.clicks), json_group_array(${t}.started), json_group_array(${t}.days)`;
type Columns = [string[], number[], number[], number[], number[], number[]];
/** Each ad's totals through its last date (attr_spend_ads), with that date. */
const ADS_SQL = `SELECT ${COLUMNS('k')}, json_group_array(k.last_date)
  FROM json_each(?) j CROSS JOIN attr_spend_ads k ON k.ad_id = j.value`;
/** The running totals of every ad that spent on one date: one range scan of the date index (migration 0012). */
const ON_DATE_SQL = `SELECT ${COLUMNS('c')} FROM attr_spend_cum c INDEXED BY attr_spend_cum_date WHERE c.date = ?`;
/**
 * The running totals of some ads (each currency) at their last date on or before a date, sought one by one:
 * one index seek each, the total packed in one text (`spend,impressions,clicks,started,days`; null: none yet).
 */
const LAST_SQL = `
  SELECT json_group_array(k.ad_id || ' ' || k.currency), json_group_array((
    SELECT c.spend || ',' || c.impressions || ',' || c.clicks || ',' || c.started || ',' || c.days
    FROM attr_spend_cum c WHERE c.ad_id = k.ad_id AND c.currency = k.currency AND c.date <= @date
    ORDER BY c.date DESC LIMIT 1))
  FROM json_each(@ads) j CROSS JOIN attr_spend_ads k ON k.ad_id = j.value`;

const NONE: Running = [0, 0, 0, 0, 0];
/** A pair's ad id and currency (a currency code has no space; an ad id might). */
const splitPair = (p: string): [string, string] => {
  const i = p.lastIndexOf(' ');
  return [p.slice(0, i), p.slice(i + 1)];
};

function addColumns(out: Map<string, Running>, [pair, ...fields]: Columns, keep?: Set<string>): void {
  for (let i = 0; i < pair.length; i++)
    if (!keep || keep.has(pair[i]!)) out.set(pair[i]!, fields.map((f) => f[i]!) as Running);
}

/**
 * The running totals of `pairs` at `date` (each pair's last row on or before it): the pairs that spent on
 * that date from one index scan, the others sought one by one (a paused ad, a new one). Absent: none yet.
 */
function runningAt(db: Db, pairs: Set<string>, date: string): Map<string, Running> {
  const out = new Map<string, Running>();
  if (pairs.size === 0) return out;
  // Before any spend at all (a 12-month range of a younger workspace): none, and nothing to seek.
  const first = cachedStatement(db, 'SELECT MIN(date) FROM attr_spend_cum').pluck().get() as string | null;
  if (first === null || date < first) return out;
  addColumns(out, jsonColumns<Columns>(cachedStatement(db, ON_DATE_SQL), date), pairs);
  const sought = [...pairs].filter((p) => !out.has(p));
  if (sought.length > 0) {
    const [pair, packed] = jsonColumns<[string[], (string | null)[]]>(cachedStatement(db, LAST_SQL), {
      ads: JSON.stringify([...new Set(sought.map((p) => splitPair(p)[0]))]),
      date,
    });
    // Every currency of the sought ads comes back: only the sought pairs are kept.
    const wanted = new Set(sought);
    for (let i = 0; i < pair.length; i++)
      if (packed[i] != null && wanted.has(pair[i]!))
        out.set(pair[i]!, packed[i]!.split(',').map(Number) as Running);
  }
  return out;
}

/**
 * Spend and delivery of ads over [from, to] that have spend rows in it: the running total through `to`
 * minus the one before `from` (migration 0007). Through `to` is the ad's totals when `to` is past its last
 * date, as for every preset.
 */
export function spendSummary(db: Db, adIds: string[], from: string, to: string): Map<string, SpendSummary> {
  const out = new Map<string, SpendSummary>();
  if (adIds.length === 0) return out;
  const [pair, spend, impressions, clicks, started, days, lastDate] = jsonColumns<[...Columns, string[]]>(
    cachedStatement(db, ADS_SQL),
    JSON.stringify(adIds),
  );
  // Pairs whose last spend is before the range have none in it.
  const spent = new Set<string>();
  const cut = new Set<string>();
  for (let i = 0; i < pair.length; i++) {
    if (lastDate[i]! < from) continue;
    spent.add(pair[i]!);
    if (lastDate[i]! > to) cut.add(pair[i]!);
  }
  const before = runningAt(db, spent, dateOfDay(dayOfDate(from) - 1));
  const through = runningAt(db, cut, to);
  for (let i = 0; i < pair.length; i++) {
    const p = pair[i]!;
    if (!spent.has(p)) continue;
    const t: Running | undefined = cut.has(p)
      ? through.get(p)
      : [spend[i]!, impressions[i]!, clicks[i]!, started[i]!, days[i]!];
    if (!t) continue;
    const b = before.get(p) ?? NONE;
    if (t[4] - b[4] === 0) continue;
    const [ad, cur] = splitPair(p);
    let s = out.get(ad);
    if (!s) {
      s = { spend: new Map<string, number>(), impressions: 0, clicks: 0, started: 0 };
      out.set(ad, s);
    }
    s.spend.set(cur, (t[0] - b[0]) / 1_000_000);
    s.impressions += t[1] - b[1];
    s.clicks += t[2] - b[2];
    s.started += t[3] - b[3];
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
  // One JSON text per column (jsonColumns): 400 ads handed over as objects cost three times as much.
  const [ad, name, adsetId, adsetName, campaignId, campaignName] = jsonColumns<
    [string[], (string | null)[], (string | null)[], (string | null)[], (string | null)[], (string | null)[]]
  >(
    cachedStatement(
      db,
      `SELECT json_group_array(a.ad_id), json_group_array(a.name), json_group_array(a.adset_id),
         json_group_array(a.adset_name), json_group_array(a.campaign_id), json_group_array(a.campaign_name)
       FROM json_each(?) j CROSS JOIN meta_ads a WHERE a.ad_id = j.value`,
    ),
    JSON.stringify(adIds),
  );
  const named = new Map(ad.map((id, i) => [id, i]));
  // An ad whose names are not synced (yet) still has Meta's delivery figures, with null names.
  for (const id of adIds) {
    const i = named.get(id);
    const s = stats.get(id);
    if (i === undefined && !s) continue;
    const at = (column: (string | null)[]) => (i === undefined ? null : column[i]!);
    out.set(id, {
      adName: at(name),
      campaignId: at(campaignId),
      campaignName: at(campaignName),
      adsetId: at(adsetId),
      adsetName: at(adsetName),
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
