import type { Db } from '../../db/open';
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
  const rows = db
    .prepare('SELECT * FROM attr_investments WHERE to_date >= ? AND from_date <= ? ORDER BY id')
    .all(from, to) as ManualEntry[];
  const out = new Map<string, ManualEntry[]>();
  for (const r of rows) {
    const list = out.get(r.source_key);
    if (list) list.push(r);
    else out.set(r.source_key, [r]);
  }
  return out;
}

/** Ads of accounts linked to this number with spend in the range: source rows even without conversations. */
export function linkedAdsWithSpend(db: Db, phone: string, from: string, to: string): string[] {
  return db
    .prepare(
      `SELECT DISTINCT s.ad_id FROM meta_spend s
       WHERE s.date BETWEEN ? AND ? AND s.spend > 0 AND s.account_id IN (
         SELECT n.account_id FROM meta_account_numbers n JOIN meta_accounts a ON a.id = n.account_id
         WHERE n.phone_number_id = ? AND a.selected = 1)`,
    )
    .pluck()
    .all(from, to, phone) as string[];
}

export function computeInvested(
  db: Db,
  keys: string[],
  from: string,
  to: string,
  currency: string,
  manual: Map<string, ManualEntry[]>,
): Map<string, Invested> {
  const out = new Map<string, Invested>();
  const adKeys = keys.filter((k) => adIdOf(k) !== null);
  const plainAds = adKeys.filter((k) => !manual.has(k)).map((k) => adIdOf(k)!);
  const totals = new Map<string, { currency: string; spend: number }[]>();
  if (plainAds.length > 0) {
    const rows = db
      .prepare(
        `SELECT ad_id, currency, SUM(spend) AS spend FROM meta_spend
         WHERE ad_id IN (SELECT value FROM json_each(?)) AND date BETWEEN ? AND ? GROUP BY ad_id, currency`,
      )
      .all(JSON.stringify(plainAds), from, to) as { ad_id: string; currency: string; spend: number }[];
    for (const r of rows) {
      const list = totals.get(r.ad_id) ?? [];
      list.push(r);
      totals.set(r.ad_id, list);
    }
  }
  const daily = db.prepare(
    'SELECT date, currency, SUM(spend) AS spend FROM meta_spend WHERE ad_id = ? AND date BETWEEN ? AND ? GROUP BY date, currency',
  );
  const fromDay = dayOfDate(from);
  const toDay = dayOfDate(to);
  for (const key of keys) {
    const sums = new Map<string, number>();
    const add = (cur: string, amount: number) => sums.set(cur, (sums.get(cur) ?? 0) + amount);
    let meta = false;
    let man = false;
    const entries = manual.get(key);
    const ad = adIdOf(key);
    if (!entries) {
      for (const r of ad ? (totals.get(ad) ?? []) : []) {
        add(r.currency, r.spend);
        meta = true;
      }
    } else {
      // Winner per day: the most recently saved entry covering it, else that day's Meta spend.
      const spans = entries.map((e) => ({
        e,
        from: dayOfDate(e.from_date),
        to: dayOfDate(e.to_date),
        won: 0,
      }));
      const wonDays = new Set<number>();
      for (let d = fromDay; d <= toDay; d++) {
        for (let i = spans.length - 1; i >= 0; i--) {
          const s = spans[i]!;
          if (d >= s.from && d <= s.to) {
            s.won++;
            wonDays.add(d);
            break;
          }
        }
      }
      for (const s of spans) {
        if (s.won === 0) continue;
        add(s.e.currency, (s.e.amount * s.won) / (s.to - s.from + 1));
        man = true;
      }
      if (ad) {
        for (const r of daily.all(ad, from, to) as { date: string; currency: string; spend: number }[]) {
          if (wonDays.has(dayOfDate(r.date))) continue;
          add(r.currency, r.spend);
          meta = true;
        }
      }
    }
    const other: Record<string, number> = {};
    for (const [cur, amount] of sums) if (cur !== currency) other[cur] = amount;
    out.set(key, {
      invested: sums.has(currency) ? sums.get(currency)! : null,
      other,
      from: meta && man ? 'mixed' : meta ? 'meta' : man ? 'manual' : null,
    });
  }
  return out;
}

/** Campaign/ad set names and delivery figures of ad sources, for the optional `meta` block. */
export function metaDetails(
  db: Db,
  adIds: string[],
  from: string,
  to: string,
): Map<string, MetaDetails & { adName: string | null }> {
  const out = new Map<string, MetaDetails & { adName: string | null }>();
  if (adIds.length === 0) return out;
  const ids = JSON.stringify(adIds);
  const ads = db
    .prepare(
      'SELECT ad_id, name, adset_id, adset_name, campaign_id, campaign_name FROM meta_ads WHERE ad_id IN (SELECT value FROM json_each(?))',
    )
    .all(ids) as {
    ad_id: string;
    name: string | null;
    adset_id: string | null;
    adset_name: string | null;
    campaign_id: string | null;
    campaign_name: string | null;
  }[];
  const stats = new Map(
    (
      db
        .prepare(
          `SELECT ad_id, SUM(impressions) AS impressions, SUM(clicks) AS clicks, SUM(messaging_started) AS started FROM meta_spend
           WHERE ad_id IN (SELECT value FROM json_each(?)) AND date BETWEEN ? AND ? GROUP BY ad_id`,
        )
        .all(ids, from, to) as {
        ad_id: string;
        impressions: number | null;
        clicks: number | null;
        started: number | null;
      }[]
    ).map((s) => [s.ad_id, s]),
  );
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
