import { DateTime } from 'luxon';
import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import type { SelectedAccount } from './accounts';
import type { GraphClient, Params, Sleep } from './graph-client';
import { GraphError } from './graph-error';
import { ensureSyncState } from './objects';

// Ad-level daily insights, per https://developers.facebook.com/docs/marketing-api/insights (time_range,
// time_increment) and https://developers.facebook.com/docs/marketing-api/insights/best-practices (async jobs):
// days are in the ad account's timezone, numbers arrive as strings, the last 28 days are re-read every
// sync (Meta restates them), history goes back at most 37 months, backfills run as async report runs.
// Each finished window replaces its days in meta_spend and advances spend_through in ONE transaction,
// windows are done oldest first, so a sync killed anywhere resumes with nothing missing or duplicated.

export const MESSAGING_STARTED_ACTION = 'onsite_conversion.messaging_conversation_started_7d';
const INSIGHT_FIELDS =
  'ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,spend,impressions,clicks,actions,account_currency,date_start,date_stop';

export interface SpendOptions {
  lookbackDays: number;
  retentionMonths: number;
  /** A range of at most this many days is read synchronously; longer ones as async report runs. */
  syncMaxDays: number;
  asyncWindowDays: number;
  pollFirstMs: number;
  pollMaxMs: number;
  /** An async job older than this is abandoned (split and retried); Meta's can take up to an hour. */
  maxJobMs: number;
  pageLimit: number;
}

export const DEFAULT_SPEND_OPTIONS: SpendOptions = {
  lookbackDays: 28,
  retentionMonths: 37,
  syncMaxDays: 31,
  asyncWindowDays: 30,
  pollFirstMs: 2000,
  pollMaxMs: 30_000,
  maxJobMs: 3_600_000,
  pageLimit: 500,
};

export interface SpendDeps {
  db: Db;
  client: GraphClient;
  now: () => number;
  sleep: Sleep;
  signal?: AbortSignal | undefined;
  options?: Partial<SpendOptions>;
  onProgress?: (doneDays: number, totalDays: number, detail: string) => void;
}

interface Window {
  since: string;
  until: string;
  mode: 'sync' | 'async';
  attempt: number;
}

interface InsightRow {
  ad_id?: string;
  ad_name?: string;
  adset_id?: string;
  adset_name?: string;
  campaign_id?: string;
  campaign_name?: string;
  spend?: string | number;
  impressions?: string | number;
  clicks?: string | number;
  actions?: { action_type?: string; value?: string | number }[];
  account_currency?: string;
  date_start?: string;
}

class AsyncJobFailed extends ApiError {
  constructor(w: Window, why: string) {
    super('meta_error', `Meta's report job for ${w.since} … ${w.until} failed (${why})`);
  }
}

const day = (iso: string) => DateTime.fromISO(iso, { zone: 'UTC' });
const addDays = (iso: string, n: number) => day(iso).plus({ days: n }).toISODate()!;
const daysIn = (w: { since: string; until: string }) => day(w.until).diff(day(w.since), 'days').days + 1;
const minDate = (a: string, b: string) => (a < b ? a : b);
const maxDate = (a: string, b: string) => (a > b ? a : b);

export function accountToday(now: number, timezone: string): string {
  const local = DateTime.fromMillis(now, { zone: timezone });
  return (local.isValid ? local : DateTime.fromMillis(now, { zone: 'UTC' })).toISODate()!;
}

export interface SpendResult {
  rows: number;
  days: number;
}

export async function syncSpend(
  deps: SpendDeps,
  account: SelectedAccount,
  askedSince?: string,
): Promise<SpendResult> {
  const o = { ...DEFAULT_SPEND_OPTIONS, ...deps.options };
  const { db } = deps;
  ensureSyncState(db, account.id);
  const today = accountToday(deps.now(), account.timezone);
  const earliest = day(today).minus({ months: o.retentionMonths }).plus({ days: 1 }).toISODate()!;
  const state = db
    .prepare('SELECT spend_since, spend_through FROM meta_sync_state WHERE account_id = ?')
    .get(account.id) as {
    spend_since: string | null;
    spend_through: string | null;
  };
  const asked = askedSince ? minDate(maxDate(askedSince, earliest), today) : null;
  let since = state.spend_since;
  let through = state.spend_through;
  if (since === null || (asked !== null && asked < since)) {
    // First sync, or history asked further back: cover [asked, today] from the start.
    since = asked ?? earliest;
    through = null;
    db.prepare('UPDATE meta_sync_state SET spend_since = ?, spend_through = NULL WHERE account_id = ?').run(
      since,
      account.id,
    );
  }
  const lookbackStart = addDays(today, -(o.lookbackDays - 1));
  const start = maxDate(since, through === null ? since : minDate(addDays(through, 1), lookbackStart));
  const total = daysIn({ since: start, until: today });
  const windows: Window[] = [];
  if (total <= o.syncMaxDays) windows.push({ since: start, until: today, mode: 'sync', attempt: 0 });
  else {
    for (let s = start; s <= today; s = addDays(s, o.asyncWindowDays)) {
      windows.push({
        since: s,
        until: minDate(addDays(s, o.asyncWindowDays - 1), today),
        mode: 'async',
        attempt: 0,
      });
    }
  }

  const run = new SpendRun(deps, o, account, total, today);
  for (const w of windows) await run.process(w);
  db.prepare('UPDATE meta_sync_state SET last_sync_at = ? WHERE account_id = ?').run(deps.now(), account.id);
  return { rows: run.rows, days: total };
}

class SpendRun {
  rows = 0;
  private done = 0;
  constructor(
    private readonly deps: SpendDeps,
    private readonly o: SpendOptions,
    private readonly account: SelectedAccount,
    private readonly total: number,
    private readonly today: string,
  ) {}

  private report(detail: string): void {
    this.deps.onProgress?.(this.done, this.total, `${this.account.name ?? this.account.id}: ${detail}`);
  }

  async process(w: Window): Promise<void> {
    this.deps.signal?.throwIfAborted();
    let rows: InsightRow[];
    try {
      rows = w.mode === 'sync' ? await this.readSync(w) : await this.readAsync(w);
    } catch (err) {
      // "until = today" can be refused right after midnight in the account timezone: stop at yesterday.
      if (
        err instanceof GraphError &&
        err.kind === 'param' &&
        err.field === 'time_range' &&
        w.until === this.today
      ) {
        if (w.since === this.today) return;
        return this.process({ ...w, until: addDays(this.today, -1), attempt: 0 });
      }
      const tooMuch = err instanceof GraphError && err.kind === 'reduce-data';
      if (!tooMuch && !(err instanceof AsyncJobFailed)) throw err;
      if (daysIn(w) > 1) {
        // Narrow the window (Airbyte splits failed jobs too): halves, oldest first to keep the cursor contiguous.
        const mid = addDays(w.since, Math.floor(daysIn(w) / 2) - 1);
        await this.process({ since: w.since, until: mid, mode: w.mode, attempt: 0 });
        await this.process({ since: addDays(mid, 1), until: w.until, mode: w.mode, attempt: 0 });
        return;
      }
      if (tooMuch && w.mode === 'sync') return this.process({ ...w, mode: 'async', attempt: 0 });
      if (w.attempt < 2) return this.process({ ...w, attempt: w.attempt + 1 });
      throw err;
    }
    this.commit(w, rows);
    this.done += daysIn(w);
    this.report(`${w.since} … ${w.until} stored`);
  }

  private params(w: Window): Params {
    return {
      level: 'ad',
      time_increment: 1,
      time_range: JSON.stringify({ since: w.since, until: w.until }),
      fields: INSIGHT_FIELDS,
      filtering: JSON.stringify([{ field: 'ad.impressions', operator: 'GREATER_THAN', value: 0 }]),
    };
  }

  private async readSync(w: Window): Promise<InsightRow[]> {
    this.report(`reading ${w.since} … ${w.until}`);
    return this.deps.client.all<InsightRow>(`${this.account.id}/insights`, {
      ...this.params(w),
      limit: this.o.pageLimit,
    });
  }

  private async readAsync(w: Window): Promise<InsightRow[]> {
    const { db, client } = this.deps;
    const key = [this.account.id, w.since, w.until] as const;
    const stored = db
      .prepare(
        'SELECT report_run_id AS id, started_at FROM meta_report_runs WHERE account_id = ? AND since = ? AND until = ?',
      )
      .get(...key) as { id: string; started_at: number } | undefined;
    const forget = () =>
      db.prepare('DELETE FROM meta_report_runs WHERE account_id = ? AND since = ? AND until = ?').run(...key);
    let runId: string;
    let startedAt: number;
    const reused = !!stored && this.deps.now() - stored.started_at < this.o.maxJobMs;
    if (reused) {
      runId = stored!.id;
      startedAt = stored!.started_at;
    } else {
      this.report(`asking Meta for a report of ${w.since} … ${w.until}`);
      const r = await client.post<{ report_run_id?: string | number }>(
        `${this.account.id}/insights`,
        this.params(w),
      );
      if (r.report_run_id === undefined) throw new AsyncJobFailed(w, 'no report_run_id');
      runId = String(r.report_run_id);
      startedAt = this.deps.now();
      db.prepare(
        `INSERT INTO meta_report_runs (account_id, since, until, report_run_id, started_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(account_id, since, until) DO UPDATE SET report_run_id = excluded.report_run_id, started_at = excluded.started_at`,
      ).run(...key, runId, startedAt);
    }

    let delay = this.o.pollFirstMs;
    for (;;) {
      let st: { async_status?: string; async_percent_completion?: number | string };
      try {
        st = await client.get(runId, { fields: 'async_status,async_percent_completion' });
      } catch (err) {
        // A stored run Meta no longer knows (expired, other token): start a new one.
        if (
          reused &&
          err instanceof GraphError &&
          (err.kind === 'param' || err.kind === 'other' || err.kind === 'permission')
        ) {
          forget();
          return this.readAsync(w);
        }
        throw err;
      }
      const status = st.async_status ?? '';
      if (status === 'Job Completed') break;
      if (status === 'Job Failed' || status === 'Job Skipped') {
        forget();
        throw new AsyncJobFailed(w, status);
      }
      if (this.deps.now() - startedAt > this.o.maxJobMs) {
        forget();
        throw new AsyncJobFailed(w, 'still running after an hour');
      }
      this.report(`Meta report ${w.since} … ${w.until}: ${Number(st.async_percent_completion ?? 0)} %`);
      await this.deps.sleep(delay, this.deps.signal);
      delay = Math.min(this.o.pollMaxMs, delay * 2);
    }
    return client.all<InsightRow>(`${runId}/insights`, { limit: this.o.pageLimit });
  }

  /** Replaces the window's days for this account and advances the cursor, atomically. */
  private commit(w: Window, rows: InsightRow[]): void {
    const { db } = this.deps;
    const acc = this.account;
    const now = this.deps.now();
    const del = db.prepare('DELETE FROM meta_spend WHERE account_id = ? AND date BETWEEN ? AND ?');
    const ins = db.prepare(
      `INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, impressions, clicks, messaging_started, synced_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(account_id, ad_id, date) DO UPDATE SET spend = excluded.spend, currency = excluded.currency,
         impressions = excluded.impressions, clicks = excluded.clicks, messaging_started = excluded.messaging_started,
         synced_at = excluded.synced_at`,
    );
    // Names from insights fill gaps only; the object sync (with updated_time) is the authority.
    const ad = db.prepare(
      `INSERT INTO meta_ads (ad_id, account_id, name, adset_id, adset_name, campaign_id, campaign_name) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(ad_id) DO UPDATE SET account_id = COALESCE(meta_ads.account_id, excluded.account_id),
         name = COALESCE(meta_ads.name, excluded.name), adset_id = COALESCE(meta_ads.adset_id, excluded.adset_id),
         adset_name = COALESCE(meta_ads.adset_name, excluded.adset_name),
         campaign_id = COALESCE(meta_ads.campaign_id, excluded.campaign_id),
         campaign_name = COALESCE(meta_ads.campaign_name, excluded.campaign_name)`,
    );
    const cursor = db.prepare(
      `UPDATE meta_sync_state SET spend_through = @until
       WHERE account_id = @account AND (spend_through IS NULL AND spend_since >= @since OR spend_through >= @dayBefore)
         AND COALESCE(spend_through, '') < @until`,
    );
    const seenAds = new Set<string>();
    db.transaction(() => {
      del.run(acc.id, w.since, w.until);
      for (const r of rows) {
        if (!r.ad_id || !r.date_start) continue;
        const currency = r.account_currency ?? acc.currency;
        if (!currency)
          throw new ApiError('meta_error', `Meta returned spend without a currency for ${acc.id}`);
        ins.run(
          acc.id,
          String(r.ad_id),
          r.date_start,
          toNumber(r.spend) ?? 0,
          currency,
          toInt(r.impressions),
          toInt(r.clicks),
          toInt(r.actions?.find((a) => a.action_type === MESSAGING_STARTED_ACTION)?.value),
          now,
        );
        this.rows++;
        if (!seenAds.has(r.ad_id)) {
          seenAds.add(r.ad_id);
          ad.run(
            String(r.ad_id),
            acc.id,
            r.ad_name ?? null,
            r.adset_id ?? null,
            r.adset_name ?? null,
            r.campaign_id ?? null,
            r.campaign_name ?? null,
          );
        }
      }
      // Advance only when the window touches the covered run of days (it always does: windows go in order).
      cursor.run({ until: w.until, account: acc.id, since: w.since, dayBefore: addDays(w.since, -1) });
      db.prepare('DELETE FROM meta_report_runs WHERE account_id = ? AND since = ? AND until = ?').run(
        acc.id,
        w.since,
        w.until,
      );
    })();
  }
}

function toNumber(v: string | number | undefined): number | null {
  if (v === undefined || v === null || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

function toInt(v: string | number | undefined): number | null {
  const n = toNumber(v);
  return n === null ? null : Math.round(n);
}
