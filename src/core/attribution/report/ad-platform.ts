import type { SourceKind, SourceRow } from '../../../shared/contract/report';
import type { Db } from '../../db/open';

// The seam between the report and an ad platform (Meta today): the report asks a platform for the spend
// and names of its ads and never reads a platform's tables itself. docs/architecture.md, "How to add an ad
// platform".

/** Spend per currency (major units) and delivery of one ad over a range. */
export interface SpendSummary {
  spend: Map<string, number>;
  impressions: number;
  clicks: number;
  started: number;
}

/** What the report shows of an ad: its names (the optional `meta` block of a source row) and delivery. */
export interface AdDetails {
  adName: string | null;
  campaignId: string | null;
  campaignName: string | null;
  adsetId: string | null;
  adsetName: string | null;
  impressions: number | null;
  clicks: number | null;
  metaConversationsStarted: number | null;
}

export interface AdPlatform {
  /** Prefix of its ads' source keys (`ad` for `ad:<ad id>`). */
  keyPrefix: string;
  /** The kind of a row for one of its ads that has no conversation (so was never derived). */
  kind: SourceKind;
  /** investedFrom of a row whose Invested is this platform's spend only. */
  investedFrom: Exclude<NonNullable<SourceRow['investedFrom']>, 'manual' | 'imported' | 'mixed'>;
  /** Ads of the accounts linked to a business number: rows of a range in which they have spend. */
  linkedAds(db: Db, phone: string): string[];
  /** Spend of each ad over the plain dates [from, to]; ads without spend rows in it are absent. */
  spend(db: Db, adIds: string[], from: string, to: string): Map<string, SpendSummary>;
  /** Spend of one ad per date and currency over [from, to] (manual entries win on the days they cover). */
  dailySpend(
    db: Db,
    adId: string,
    from: string,
    to: string,
  ): { date: string; currency: string; spend: number }[];
  /**
   * Names and delivery figures (from `stats`) of the ads among `adIds` that have either: an ad with
   * delivery but no names synced yet has null names; one with neither is absent.
   */
  details(db: Db, adIds: string[], stats: Map<string, SpendSummary>): Map<string, AdDetails>;
}

/** "Campaign › Ad set › Ad" from an ad's names, or null when its name is unknown. */
export function adDisplayName(
  d: { adName: string | null; campaignName: string | null; adsetName: string | null } | undefined,
): string | null {
  if (!d?.adName) return null;
  return [d.campaignName, d.adsetName, d.adName].filter((x): x is string => !!x).join(' › ');
}
