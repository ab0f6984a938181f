import type { Db } from '../db/open';
import type { GraphClient } from './graph-client';

// Campaigns, ad sets and ads of an account, archived and deleted included, incrementally by updated_time.
// Filters per https://developers.facebook.com/docs/marketing-api/reference/ad-account/ads ("Parameters",
// filtering): effective_status IN [...] brings the
// ARCHIVED/DELETED objects Meta leaves out by default; updated_time GREATER_THAN <unix> makes it incremental.

const STATUSES = {
  campaign: ['ACTIVE', 'PAUSED', 'DELETED', 'ARCHIVED', 'IN_PROCESS', 'WITH_ISSUES'],
  adset: ['ACTIVE', 'PAUSED', 'DELETED', 'CAMPAIGN_PAUSED', 'ARCHIVED', 'IN_PROCESS', 'WITH_ISSUES'],
  ad: [
    'ACTIVE',
    'PAUSED',
    'DELETED',
    'PENDING_REVIEW',
    'DISAPPROVED',
    'PREAPPROVED',
    'PENDING_BILLING_INFO',
    'CAMPAIGN_PAUSED',
    'ARCHIVED',
    'ADSET_PAUSED',
    'IN_PROCESS',
    'WITH_ISSUES',
  ],
} as const;

type Kind = keyof typeof STATUSES;
const EDGE: Record<Kind, string> = { campaign: 'campaigns', adset: 'adsets', ad: 'ads' };
const FIELDS: Record<Kind, string> = {
  campaign: 'id,name,status,effective_status,updated_time',
  adset: 'id,name,campaign_id,status,effective_status,updated_time',
  ad: 'id,name,campaign_id,adset_id,status,effective_status,updated_time',
};
const CURSOR: Record<Kind, string> = {
  campaign: 'campaigns_updated_after',
  adset: 'adsets_updated_after',
  ad: 'ads_updated_after',
};

interface GraphObject {
  id: string;
  name?: string;
  campaign_id?: string;
  adset_id?: string;
  status?: string;
  effective_status?: string;
  updated_time?: string;
}

/** Graph times look like 2026-03-01T10:00:00+0000. */
export function graphTimeToUnix(t: string | undefined): number | null {
  if (!t) return null;
  const ms = Date.parse(t.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

export function ensureSyncState(db: Db, accountId: string): void {
  db.prepare('INSERT OR IGNORE INTO meta_sync_state (account_id) VALUES (?)').run(accountId);
}

/** Syncs the three object kinds; returns how many objects were written. */
export async function syncObjects(db: Db, client: GraphClient, accountId: string): Promise<number> {
  ensureSyncState(db, accountId);
  let written = 0;
  for (const kind of ['campaign', 'adset', 'ad'] as const)
    written += await syncKind(db, client, accountId, kind);
  return written;
}

async function syncKind(db: Db, client: GraphClient, accountId: string, kind: Kind): Promise<number> {
  const column = CURSOR[kind];
  const after = (
    db.prepare(`SELECT ${column} AS v FROM meta_sync_state WHERE account_id = ?`).get(accountId) as {
      v: number | null;
    }
  ).v;
  const filtering: object[] = [{ field: `${kind}.effective_status`, operator: 'IN', value: STATUSES[kind] }];
  // Re-read the second of the cursor too: objects updated in the same second as the last one seen.
  if (after !== null)
    filtering.push({ field: `${kind}.updated_time`, operator: 'GREATER_THAN', value: after - 1 });
  const write = writer(db, accountId, kind);
  let newest = after ?? 0;
  let written = 0;
  for await (const page of client.pages<GraphObject>(`${accountId}/${EDGE[kind]}`, {
    fields: FIELDS[kind],
    filtering: JSON.stringify(filtering),
    limit: 200,
  })) {
    db.transaction(() => {
      for (const o of page) {
        write(o);
        newest = Math.max(newest, graphTimeToUnix(o.updated_time) ?? 0);
      }
    })();
    written += page.length;
  }
  // Advanced only after every page is stored: a restart re-reads (idempotently) instead of skipping.
  if (newest > 0)
    db.prepare(`UPDATE meta_sync_state SET ${column} = ? WHERE account_id = ?`).run(newest, accountId);
  return written;
}

function writer(db: Db, accountId: string, kind: Kind): (o: GraphObject) => void {
  if (kind === 'campaign') {
    const up = db.prepare(
      `INSERT INTO meta_campaigns (id, account_id, name, status, effective_status, updated_time) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET account_id = excluded.account_id, name = excluded.name, status = excluded.status,
         effective_status = excluded.effective_status, updated_time = excluded.updated_time`,
    );
    const rename = db.prepare('UPDATE meta_ads SET campaign_name = ? WHERE campaign_id = ?');
    return (o) => {
      up.run(
        o.id,
        accountId,
        o.name ?? null,
        o.status ?? null,
        o.effective_status ?? null,
        o.updated_time ?? null,
      );
      if (o.name !== undefined) rename.run(o.name, o.id);
    };
  }
  if (kind === 'adset') {
    const up = db.prepare(
      `INSERT INTO meta_adsets (id, account_id, campaign_id, name, status, effective_status, updated_time) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET account_id = excluded.account_id, campaign_id = excluded.campaign_id, name = excluded.name,
         status = excluded.status, effective_status = excluded.effective_status, updated_time = excluded.updated_time`,
    );
    const rename = db.prepare('UPDATE meta_ads SET adset_name = ? WHERE adset_id = ?');
    return (o) => {
      up.run(
        o.id,
        accountId,
        o.campaign_id ?? null,
        o.name ?? null,
        o.status ?? null,
        o.effective_status ?? null,
        o.updated_time ?? null,
      );
      if (o.name !== undefined) rename.run(o.name, o.id);
    };
  }
  const up = db.prepare(
    `INSERT INTO meta_ads (ad_id, account_id, name, status, effective_status, adset_id, adset_name, campaign_id, campaign_name, updated_time)
     VALUES (@id, @account, @name, @status, @effective, @adset, (SELECT name FROM meta_adsets WHERE id = @adset), @campaign,
       (SELECT name FROM meta_campaigns WHERE id = @campaign), @updated)
     ON CONFLICT(ad_id) DO UPDATE SET account_id = excluded.account_id, name = excluded.name, status = excluded.status,
       effective_status = excluded.effective_status, adset_id = excluded.adset_id,
       adset_name = COALESCE(excluded.adset_name, meta_ads.adset_name), campaign_id = excluded.campaign_id,
       campaign_name = COALESCE(excluded.campaign_name, meta_ads.campaign_name), updated_time = excluded.updated_time`,
  );
  return (o) =>
    up.run({
      id: o.id,
      account: accountId,
      name: o.name ?? null,
      status: o.status ?? null,
      effective: o.effective_status ?? null,
      adset: o.adset_id ?? null,
      campaign: o.campaign_id ?? null,
      updated: o.updated_time ?? null,
    });
}
