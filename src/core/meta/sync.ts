import { ApiError } from '../../shared/contract/errors';
import type { MetaSyncSummary } from '../../shared/contract/meta';
import type { Db } from '../db/open';
import { linkUnlinkedAccounts, selectedAccounts } from './accounts';
import { markNeedsLogin } from './connection';
import type { GraphClient, Sleep } from './graph-client';
import { GraphError } from './graph-error';
import { lookUpReferralAds } from './lookup';
import { syncObjects } from './objects';
import { type SpendOptions, syncSpend } from './spend';

export interface MetaSyncDeps {
  db: Db;
  client: GraphClient;
  now?: () => number;
  sleep: Sleep;
  signal?: AbortSignal | undefined;
  progress?: (fraction: number | null, detail: string) => void;
  spendOptions?: Partial<SpendOptions>;
}

/** Share of an account's progress bar taken by the object sync (the rest is spend, by days). */
const OBJECTS_SHARE = 0.1;

/**
 * One sync of every selected ad account: objects, spend, then lookups of referral ads outside them.
 * On error 190 the connection is marked "needs login" and the sync stops; everything stored before
 * stays, and the next sync resumes from the per-account cursors.
 */
export async function runMetaSync(
  deps: MetaSyncDeps,
  opts: { since?: string | undefined } = {},
): Promise<MetaSyncSummary> {
  const { db, client } = deps;
  const now = deps.now ?? Date.now;
  const accounts = selectedAccounts(db);
  if (accounts.length === 0) {
    throw new ApiError(
      'invalid_argument',
      'No ad account is selected: choose some first (insights meta accounts --select act_…)',
    );
  }
  linkUnlinkedAccounts(db);
  const runId = Number(
    db.prepare('INSERT INTO meta_sync_runs (started_at) VALUES (?)').run(now()).lastInsertRowid,
  );
  const summary: MetaSyncSummary = {
    accounts: accounts.length,
    objects: 0,
    spendRows: 0,
    days: 0,
    lookups: { found: 0, notFound: 0 },
    currencies: [],
  };
  // An account Meta no longer lets us read (access removed, account gone) must not keep the others
  // from syncing: its error is collected and reported once the rest is done.
  const failed: string[] = [];
  try {
    for (const [i, account] of accounts.entries()) {
      const share = (part: number) => (i + part) / accounts.length;
      const label = account.name ?? account.id;
      try {
        deps.progress?.(share(0), `${label}: campaigns, ad sets and ads`);
        summary.objects += await syncObjects(db, client, account.id);
        deps.progress?.(share(OBJECTS_SHARE), `${label}: spend`);
        const spend = await syncSpend(
          {
            db,
            client,
            now,
            sleep: deps.sleep,
            signal: deps.signal,
            ...(deps.spendOptions ? { options: deps.spendOptions } : {}),
            onProgress: (done, total, detail) =>
              deps.progress?.(
                share(OBJECTS_SHARE + (1 - OBJECTS_SHARE) * (total ? done / total : 1)),
                detail,
              ),
          },
          account,
          opts.since,
        );
        summary.spendRows += spend.rows;
        summary.days += spend.days;
      } catch (err) {
        if (!(err instanceof GraphError) || (err.kind !== 'permission' && err.kind !== 'param')) throw err;
        failed.push(`${label} (${account.id}): ${err.message}`);
      }
    }
    deps.progress?.(1, 'Looking up ads outside the selected accounts');
    summary.lookups = await lookUpReferralAds(db, client, now());
    summary.currencies = (
      db
        .prepare(
          `SELECT DISTINCT s.currency FROM meta_spend s JOIN meta_accounts a ON a.id = s.account_id WHERE a.selected = 1 ORDER BY 1`,
        )
        .all() as { currency: string }[]
    ).map((r) => r.currency);
    if (failed.length > 0) {
      throw new ApiError(
        'meta_error',
        `Synced ${accounts.length - failed.length} of ${accounts.length} ad accounts; failed: ${failed.join('; ')}`,
      );
    }
    db.prepare('UPDATE meta_sync_runs SET ended_at = ?, ok = 1, summary = ? WHERE id = ?').run(
      now(),
      JSON.stringify(summary),
      runId,
    );
    return summary;
  } catch (err) {
    if (err instanceof GraphError && err.kind === 'auth') markNeedsLogin(db, err.message);
    const message = err instanceof Error ? err.message : String(err);
    db.prepare('UPDATE meta_sync_runs SET ended_at = ?, ok = 0, error = ?, summary = ? WHERE id = ?').run(
      now(),
      message,
      JSON.stringify(summary),
      runId,
    );
    throw err;
  }
}
