import { DateTime } from 'luxon';
import type { Db } from '../../db/open';

// The demo Graph's data: accounts, ads with their names, and daily insights, built from a list of ads
// (buildMetaFixture) or read back from a demo workspace (fixtureFromWorkspace). simulator.ts answers from it.

export interface FixtureAccount {
  id: string;
  name: string;
  currency: string;
  timezone_name: string;
  account_status?: number;
}

/** An ad with the names of its ad set and campaign, as Graph names them. */
export interface AdHierarchy {
  adId: string;
  adName: string;
  adsetId: string;
  adsetName: string;
  campaignId: string;
  campaignName: string;
}

export interface FixtureAd extends AdHierarchy {
  accountId: string | null;
  effectiveStatus: string;
  /** Graph format, e.g. 2026-03-01T10:00:00+0000 */
  updatedTime: string;
}

export interface FixtureInsight {
  accountId: string;
  adId: string;
  date: string;
  spend: string;
  impressions: string;
  clicks: string;
  messagingStarted: string | null;
}

export interface MetaFixture {
  version: 1;
  user: { id: string; name: string };
  token: string;
  permissions: string[];
  from: string;
  to: string;
  accounts: FixtureAccount[];
  /** Ads of the accounts (accountId set) and ads reachable only by a one-off lookup (accountId null). */
  ads: FixtureAd[];
  insights: FixtureInsight[];
}

export type DailyFigure =
  | number
  | { spend: number; impressions?: number; clicks?: number; messagingStarted?: number };

export interface FixtureAdSpec extends AdHierarchy {
  /** Default: the first account. null: an ad outside every account (found only by lookup). */
  accountId?: string | null;
  effectiveStatus?: string;
  /** Spend of a day (account timezone, YYYY-MM-DD); 0, null or undefined: no row that day. */
  dailySpend?: (date: string) => DailyFigure | null | undefined;
}

export const DEMO_ACCOUNT: FixtureAccount = {
  id: 'act_100000000000001',
  name: 'Demo ad account',
  currency: 'EUR',
  timezone_name: 'Europe/Berlin',
  account_status: 1,
};

/** Builds a fixture from a list of ads and their daily spend over [from, to] (inclusive). */
export function buildMetaFixture(input: {
  ads: FixtureAdSpec[];
  from: string;
  to: string;
  accounts?: FixtureAccount[];
  user?: { id: string; name: string };
  token?: string;
  permissions?: string[];
  updatedTime?: string;
}): MetaFixture {
  const accounts = input.accounts ?? [DEMO_ACCOUNT];
  const firstAccount = accounts[0]?.id ?? null;
  const updatedTime = input.updatedTime ?? `${input.from}T09:00:00+0000`;
  const ads: FixtureAd[] = [];
  const insights: FixtureInsight[] = [];
  const start = DateTime.fromISO(input.from, { zone: 'UTC' });
  const days = DateTime.fromISO(input.to, { zone: 'UTC' }).diff(start, 'days').days;
  for (const spec of input.ads) {
    const accountId = spec.accountId === undefined ? firstAccount : spec.accountId;
    ads.push({
      accountId,
      adId: spec.adId,
      adName: spec.adName,
      adsetId: spec.adsetId,
      adsetName: spec.adsetName,
      campaignId: spec.campaignId,
      campaignName: spec.campaignName,
      effectiveStatus: spec.effectiveStatus ?? 'ACTIVE',
      updatedTime,
    });
    if (accountId === null || !spec.dailySpend) continue;
    for (let i = 0; i <= days; i++) {
      const date = start.plus({ days: i }).toISODate()!;
      const fig = spec.dailySpend(date);
      if (fig === null || fig === undefined) continue;
      const f = typeof fig === 'number' ? { spend: fig } : fig;
      if (!(f.spend > 0)) continue;
      const impressions = f.impressions ?? Math.round(f.spend * 90);
      const clicks = f.clicks ?? Math.round(impressions * 0.012);
      insights.push({
        accountId,
        adId: spec.adId,
        date,
        spend: f.spend.toFixed(2),
        impressions: String(impressions),
        clicks: String(clicks),
        messagingStarted: String(f.messagingStarted ?? Math.round(clicks * 0.3)),
      });
    }
  }
  return {
    version: 1,
    user: input.user ?? { id: '100000000000099', name: 'Demo Marketer' },
    token: input.token ?? DEMO_FIXTURE_TOKEN,
    permissions: input.permissions ?? ['ads_read', 'business_management'],
    from: input.from,
    to: input.to,
    accounts,
    ads,
    insights,
  };
}

/** The demo's stand-in for a token: it only ever reaches the in-process simulator, never a network. */
export const DEMO_FIXTURE_TOKEN = 'EAAdemo-fixture-token';

/**
 * The Graph API of a demo workspace: its accounts, ads and daily spend as the workspace holds them, so
 * "Sync now" in the demo runs the real client and sync code against the simulator and finds the same
 * figures again.
 */
export function fixtureFromWorkspace(db: Db): MetaFixture {
  const conn = db.prepare('SELECT user_id, user_name, permissions FROM meta_connection WHERE id = 1').get() as
    | { user_id: string | null; user_name: string | null; permissions: string | null }
    | undefined;
  const accounts = (
    db.prepare('SELECT id, name, currency, timezone_name, status FROM meta_accounts ORDER BY id').all() as {
      id: string;
      name: string | null;
      currency: string | null;
      timezone_name: string | null;
      status: number | null;
    }[]
  ).map((a) => ({
    id: a.id,
    name: a.name ?? a.id,
    currency: a.currency ?? 'EUR',
    timezone_name: a.timezone_name ?? 'UTC',
    account_status: a.status ?? 1,
  }));
  const ads = (
    db
      .prepare(
        `SELECT ad_id, account_id, name, adset_id, adset_name, campaign_id, campaign_name, effective_status, updated_time
         FROM meta_ads ORDER BY ad_id`,
      )
      .all() as Record<string, string | null>[]
  ).map((a) => ({
    accountId: a.account_id ?? null,
    adId: a.ad_id!,
    adName: a.name ?? a.ad_id!,
    adsetId: a.adset_id ?? '',
    adsetName: a.adset_name ?? '',
    campaignId: a.campaign_id ?? '',
    campaignName: a.campaign_name ?? '',
    effectiveStatus: a.effective_status ?? 'ACTIVE',
    updatedTime: a.updated_time ?? '2020-01-01T00:00:00+0000',
  }));
  const insights = (
    db
      .prepare(
        'SELECT account_id, ad_id, date, spend, impressions, clicks, messaging_started FROM meta_spend ORDER BY date, ad_id',
      )
      .all() as {
      account_id: string;
      ad_id: string;
      date: string;
      spend: number;
      impressions: number | null;
      clicks: number | null;
      messaging_started: number | null;
    }[]
  ).map((r) => ({
    accountId: r.account_id,
    adId: r.ad_id,
    date: r.date,
    spend: r.spend.toFixed(2),
    impressions: String(r.impressions ?? 0),
    clicks: String(r.clicks ?? 0),
    messagingStarted: r.messaging_started === null ? null : String(r.messaging_started),
  }));
  let permissions = ['ads_read'];
  try {
    permissions = JSON.parse(conn?.permissions ?? '["ads_read"]') as string[];
  } catch {
    // keep ads_read
  }
  return {
    version: 1,
    user: { id: conn?.user_id ?? '100000000000099', name: conn?.user_name ?? 'Demo Marketer' },
    token: DEMO_FIXTURE_TOKEN,
    permissions,
    from: insights[0]?.date ?? '2020-01-01',
    to: insights.at(-1)?.date ?? '2020-01-01',
    accounts,
    ads,
    insights,
  };
}
