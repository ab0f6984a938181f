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
      `SELECT a.ad_id FROM meta_ads a
       WHERE a.account_id IN (
         SELECT m.id FROM meta_account_numbers n JOIN meta_accounts m ON m.id = n.account_id
         WHERE n.phone_number_id = @phone AND m.selected = 1
         UNION SELECT m.account_id FROM meta_account_numbers n JOIN meta_accounts m ON m.id = n.account_id
         WHERE n.phone_number_id = @phone AND m.selected = 1)
       AND EXISTS (SELECT 1 FROM meta_spend s WHERE s.ad_id = a.ad_id AND s.date BETWEEN @from AND @to AND s.spend > 0)`,
    )
    .pluck()
    .all({ phone, from, to }) as string[];
}

export function computeInvested(
  db: Db,
  keys: string[],
  from: string,
  to: string,
  currency: string,
  manual: Map<string, ManualEntry[]>,
  spend?: Map<string, SpendSummary>,
): Map<string, Invested> {
  const out = new Map<string, Invested>();
  const adKeys = keys.filter((k) => adIdOf(k) !== null);
  const plainAds = adKeys.filter((k) => !manual.has(k)).map((k) => adIdOf(k)!);
  const totals = spend ?? spendSummary(db, plainAds, from, to);
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
      for (const [cur, spend] of (ad ? totals.get(ad)?.spend : undefined) ?? []) {
        add(cur, spend);
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
  spend?: Map<string, SpendSummary>,
): Map<string, MetaDetails & { adName: string | null }> {
  const out = new Map<string, MetaDetails & { adName: string | null }>();
  if (adIds.length === 0) return out;
  const ids = JSON.stringify(adIds);
  const ads = db
    .prepare(
      'SELECT a.ad_id, a.name, a.adset_id, a.adset_name, a.campaign_id, a.campaign_name FROM json_each(?) j CROSS JOIN meta_ads a WHERE a.ad_id = j.value',
    )
    .all(ids) as {
    ad_id: string;
    name: string | null;
    adset_id: string | null;
    adset_name: string | null;
    campaign_id: string | null;
    campaign_name: string | null;
  }[];
  const stats = spend ?? spendSummary(db, adIds, from, to);
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

/** Spend and delivery of ads over [from, to]: whole months from attr_spend_month, edge days from meta_spend. */
export function spendSummary(db: Db, adIds: string[], from: string, to: string): Map<string, SpendSummary> {
  const out = new Map<string, SpendSummary>();
  if (adIds.length === 0) return out;
  const add = (ad: string, cur: string, micro: number, imp: number, clicks: number, started: number) => {
    const s = out.get(ad) ?? { spend: new Map<string, number>(), impressions: 0, clicks: 0, started: 0 };
    out.set(ad, s);
    s.spend.set(cur, (s.spend.get(cur) ?? 0) + micro);
    s.impressions += imp;
    s.clicks += clicks;
    s.started += started;
  };
  const ids = JSON.stringify(adIds);
  const { months, edges } = splitMonths(from, to);
  if (months) {
    const rows = db
      .prepare(
        `SELECT m.ad_id, m.currency, SUM(m.spend), SUM(m.impressions), SUM(m.clicks), SUM(m.started)
         FROM json_each(?) j CROSS JOIN attr_spend_month m WHERE m.ad_id = j.value AND m.month BETWEEN ? AND ? GROUP BY m.ad_id, m.currency`,
      )
      .raw()
      .all(ids, months[0], months[1]) as [string, string, number, number, number, number][];
    for (const r of rows) add(...r);
  }
  for (const [a, b] of edges) {
    const rows = db
      .prepare(
        `SELECT s.ad_id, s.currency, SUM(CAST(ROUND(s.spend * 1000000) AS INTEGER)), SUM(COALESCE(s.impressions, 0)),
                SUM(COALESCE(s.clicks, 0)), SUM(COALESCE(s.messaging_started, 0))
         FROM json_each(?) j CROSS JOIN meta_spend s INDEXED BY attr_meta_spend_ad
         WHERE s.ad_id = j.value AND s.date BETWEEN ? AND ? GROUP BY s.ad_id, s.currency`,
      )
      .raw()
      .all(ids, a, b) as [string, string, number, number, number, number][];
    for (const r of rows) add(...r);
  }
  for (const s of out.values()) for (const [cur, micro] of s.spend) s.spend.set(cur, micro / 1_000_000);
  return out;
}

/** [from, to] as a span of whole months (YYYY-MM, inclusive) plus up to two runs of edge days. */
export function splitMonths(
  from: string,
  to: string,
): { months: [string, string] | null; edges: [string, string][] } {
  const monthStart = (d: string) => `${d.slice(0, 7)}-01`;
  const monthEnd = (d: string) => {
    const [y, m] = d.split('-').map(Number) as [number, number];
    return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  };
  const firstFull = from === monthStart(from) ? from.slice(0, 7) : nextMonth(from.slice(0, 7));
  const lastFull = to === monthEnd(to) ? to.slice(0, 7) : prevMonth(to.slice(0, 7));
  if (firstFull > lastFull) return { months: null, edges: [[from, to]] };
  const edges: [string, string][] = [];
  if (from.slice(0, 7) < firstFull) edges.push([from, monthEnd(from)]);
  if (to.slice(0, 7) > lastFull) edges.push([monthStart(to), to]);
  return { months: [firstFull, lastFull], edges };
}

function nextMonth(ym: string): string {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

function prevMonth(ym: string): string {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}
