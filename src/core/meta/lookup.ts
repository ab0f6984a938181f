import type { Db } from '../db/open';
import type { GraphClient } from './graph-client';
import { GraphError } from './graph-error';

// Referral ad ids that no synced account contains (an agency's other account, a deleted ad, a partner's
// ad): one-off GET /{ad_id}?fields=name,campaign{id,name},adset{id,name}, per
// https://developers.facebook.com/docs/marketing-api/reference/adgroup ("Reading"). Each id is asked at most once a week.

const RETRY_AFTER_MS = 7 * 24 * 3600 * 1000;

interface AdAnswer {
  id?: string;
  name?: string;
  campaign?: { id?: string; name?: string };
  adset?: { id?: string; name?: string };
}

export function adsToLookUp(db: Db, now: number): string[] {
  return (
    db
      .prepare(
        `SELECT DISTINCT m.referral_source_id AS id FROM messages m
         WHERE m.referral_source_type = 'ad' AND m.referral_source_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM meta_ads a WHERE a.ad_id = m.referral_source_id)
           AND NOT EXISTS (SELECT 1 FROM meta_ad_lookups l WHERE l.ad_id = m.referral_source_id AND l.looked_up_at > ?)
         ORDER BY 1`,
      )
      .all(now - RETRY_AFTER_MS) as { id: string }[]
  ).map((r) => r.id);
}

export async function lookUpReferralAds(
  db: Db,
  client: GraphClient,
  now: number,
): Promise<{ found: number; notFound: number }> {
  let found = 0;
  let notFound = 0;
  const record = db.prepare(
    `INSERT INTO meta_ad_lookups (ad_id, looked_up_at, found, error) VALUES (?, ?, ?, ?)
     ON CONFLICT(ad_id) DO UPDATE SET looked_up_at = excluded.looked_up_at, found = excluded.found, error = excluded.error`,
  );
  const insert = db.prepare(
    `INSERT INTO meta_ads (ad_id, account_id, name, adset_id, adset_name, campaign_id, campaign_name)
     VALUES (?, NULL, ?, ?, ?, ?, ?) ON CONFLICT(ad_id) DO NOTHING`,
  );
  for (const id of adsToLookUp(db, now)) {
    // Ad ids are numeric; anything else would be a path, not an id.
    if (!/^\d{1,30}$/.test(id)) {
      record.run(id, now, 0, 'not an ad id');
      notFound++;
      continue;
    }
    try {
      const ad = await client.get<AdAnswer>(id, { fields: 'name,campaign{id,name},adset{id,name}' });
      db.transaction(() => {
        insert.run(
          id,
          ad.name ?? null,
          ad.adset?.id ?? null,
          ad.adset?.name ?? null,
          ad.campaign?.id ?? null,
          ad.campaign?.name ?? null,
        );
        record.run(id, now, 1, null);
      })();
      found++;
    } catch (err) {
      // 100/33: missing or not visible to this token. A dead token or rate limit stops the sync instead.
      if (
        !(err instanceof GraphError) ||
        err.kind === 'auth' ||
        err.kind === 'throttle' ||
        err.kind === 'transient'
      )
        throw err;
      record.run(id, now, 0, err.graphMessage || err.message);
      notFound++;
    }
  }
  return { found, notFound };
}
