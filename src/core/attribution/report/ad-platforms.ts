import { restOf } from '../../../shared/source-keys';
import type { Db } from '../../db/open';
import { metaAdPlatform } from '../../meta/ad-platform';
import type { AdDetails, AdPlatform, SpendSummary } from './ad-platform';

// The ad platforms whose spend and names the report shows; Meta is built in.

const platforms: AdPlatform[] = [metaAdPlatform];

/** Adds a platform (its keys must not share a prefix with another's); returns the call that removes it. */
export function registerAdPlatform(platform: AdPlatform): () => void {
  if (platforms.some((p) => p.keyPrefix === platform.keyPrefix))
    throw new Error(`An ad platform already owns "${platform.keyPrefix}:" keys`);
  platforms.push(platform);
  return () => {
    const i = platforms.indexOf(platform);
    if (i >= 0) platforms.splice(i, 1);
  };
}

export const adPlatforms = (): readonly AdPlatform[] => platforms;

/** The platform and ad id of an ad source key, else null. */
export function adOfKey(key: string): { platform: AdPlatform; ad: string } | null {
  for (const platform of platforms) {
    const ad = restOf(key, platform.keyPrefix);
    if (ad !== null) return { platform, ad };
  }
  return null;
}

/** Ad source keys grouped by platform with their ad ids. */
function byPlatform(keys: Iterable<string>): Map<AdPlatform, Map<string, string>> {
  const out = new Map<AdPlatform, Map<string, string>>();
  for (const key of keys) {
    const a = adOfKey(key);
    if (!a) continue;
    const ads = out.get(a.platform) ?? new Map<string, string>();
    out.set(a.platform, ads.set(a.ad, key));
  }
  return out;
}

/** Source keys of every platform's ads linked to a number. */
export function linkedAdKeys(db: Db, phone: string): string[] {
  return platforms.flatMap((p) => p.linkedAds(db, phone).map((ad) => `${p.keyPrefix}:${ad}`));
}

/** Spend over [from, to] of the ads among `keys`, by source key. */
export function spendOfKeys(
  db: Db,
  keys: Iterable<string>,
  from: string,
  to: string,
): Map<string, SpendSummary> {
  const out = new Map<string, SpendSummary>();
  for (const [platform, ads] of byPlatform(keys))
    for (const [ad, s] of platform.spend(db, [...ads.keys()], from, to)) out.set(ads.get(ad)!, s);
  return out;
}

/** Names and delivery of the ads among `keys`, by source key (`stats` by source key too). */
export function detailsOfKeys(
  db: Db,
  keys: Iterable<string>,
  stats: Map<string, SpendSummary>,
): Map<string, AdDetails> {
  const out = new Map<string, AdDetails>();
  for (const [platform, ads] of byPlatform(keys)) {
    const byAd = new Map<string, SpendSummary>();
    for (const [ad, key] of ads) {
      const s = stats.get(key);
      if (s) byAd.set(ad, s);
    }
    for (const [ad, d] of platform.details(db, [...ads.keys()], byAd)) out.set(ads.get(ad)!, d);
  }
  return out;
}
