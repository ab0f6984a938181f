import type { FetchLike } from '../graph-client';
import { MESSAGING_STARTED_ACTION } from '../spend';
import type { FixtureAccount, MetaFixture } from './fixture';

// The Graph API simulator: answers requests from a fixture in the shapes Meta documents (demo-graph.ts
// names the pages), in process (createFixtureFetch) or behind the tests' fake server.

export interface SimulatorOptions {
  /** Page sizes used in turn (0 = an empty page that still has `next`). Default: the request's limit. */
  pageSizes?: number[];
  /** Polls answering "Job Running" before a report run completes. Default 1. */
  asyncPolls?: number;
  /** The first N report runs end in "Job Failed". */
  asyncFailures?: number;
}

export interface SimRequest {
  method: string;
  url: URL;
  /** Query parameters merged with the form body of a POST. */
  params: URLSearchParams;
  /** The Authorization header: the token comes as `Bearer <token>`. */
  authorization: string | null;
}

export interface SimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Run {
  accountId: string;
  params: URLSearchParams;
  polls: number;
  fail: boolean;
}

export function graphError(
  status: number,
  code: number,
  message: string,
  subcode?: number,
  extra: object = {},
): SimResponse {
  return {
    status,
    body: {
      error: {
        message,
        type: code === 190 ? 'OAuthException' : 'GraphMethodException',
        code,
        ...(subcode === undefined ? {} : { error_subcode: subcode }),
        fbtrace_id: 'AbCdEfFixture',
        ...extra,
      },
    },
  };
}

/** A Graph API answering from a fixture. Stateful only for async report runs. */
export class GraphSimulator {
  private readonly runs = new Map<string, Run>();
  private nextRun = 1;
  private failuresLeft: number;
  private pageIndex = 0;

  constructor(
    readonly fixture: MetaFixture,
    private readonly options: SimulatorOptions = {},
  ) {
    this.failuresLeft = options.asyncFailures ?? 0;
  }

  handle(req: SimRequest): SimResponse {
    const token = bearerToken(req);
    if (token !== this.fixture.token)
      return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
    const parts = req.url.pathname.split('/').filter(Boolean);
    if (/^v\d+\.\d+$/.test(parts[0] ?? '')) parts.shift();
    const [a, b] = parts;
    const get = req.method === 'GET';
    if (a === 'me' && b === undefined && get) return this.me();
    if (a === 'debug_token' && get) return this.debugToken();
    if (a === 'me' && b === 'adaccounts' && get)
      return this.page(req, this.fixture.accounts.map(accountJson));
    if (a?.startsWith('act_')) {
      const account = this.fixture.accounts.find((x) => x.id === a);
      if (!account)
        return graphError(400, 100, `Unsupported get request. Object with ID '${a}' does not exist`, 33);
      if (b === 'campaigns' && get) return this.objects(req, account, 'campaign');
      if (b === 'adsets' && get) return this.objects(req, account, 'adset');
      if (b === 'ads' && get) return this.objects(req, account, 'ad');
      if (b === 'insights' && get) return this.insights(req, account, req.params);
      if (b === 'insights' && req.method === 'POST') return this.startRun(account, req.params);
    }
    if (a?.startsWith('run_')) {
      const run = this.runs.get(a);
      if (!run)
        return graphError(400, 100, `Unsupported get request. Object with ID '${a}' does not exist`, 33);
      if (b === undefined && get) return this.runStatus(run, a);
      if (b === 'insights' && get) {
        const account = this.fixture.accounts.find((x) => x.id === run.accountId)!;
        return this.insights(req, account, run.params);
      }
    }
    if (a && /^\d+$/.test(a) && b === undefined && get) return this.ad(a);
    return graphError(400, 100, `Unknown path components: /${parts.join('/')}`, 2500);
  }

  private me(): SimResponse {
    const { user, permissions } = this.fixture;
    return {
      status: 200,
      body: {
        id: user.id,
        name: user.name,
        permissions: { data: permissions.map((p) => ({ permission: p, status: 'granted' })) },
      },
    };
  }

  private debugToken(): SimResponse {
    return {
      status: 200,
      body: {
        data: {
          app_id: '100000000000777',
          type: 'SYSTEM_USER',
          expires_at: 0,
          data_access_expires_at: 0,
          is_valid: true,
          scopes: this.fixture.permissions,
          user_id: this.fixture.user.id,
        },
      },
    };
  }

  private objects(req: SimRequest, account: FixtureAccount, kind: 'campaign' | 'adset' | 'ad'): SimResponse {
    const filters = parseFiltering(req.params.get('filtering'));
    const after = filters.find((f) => f.field === `${kind}.updated_time` && f.operator === 'GREATER_THAN');
    const statuses = filters.find((f) => f.field === `${kind}.effective_status` && f.operator === 'IN');
    const seen = new Set<string>();
    const out: Record<string, unknown>[] = [];
    for (const ad of this.fixture.ads) {
      if (ad.accountId !== account.id) continue;
      if (statuses && Array.isArray(statuses.value) && !statuses.value.includes(ad.effectiveStatus)) continue;
      // Graph leaves ARCHIVED and DELETED out unless effective_status asks for them.
      if (!statuses && (ad.effectiveStatus === 'ARCHIVED' || ad.effectiveStatus === 'DELETED')) continue;
      if (
        after &&
        Date.parse(ad.updatedTime.replace(/(\d{2})(\d{2})$/, '$1:$2')) / 1000 <= Number(after.value)
      )
        continue;
      const id = kind === 'campaign' ? ad.campaignId : kind === 'adset' ? ad.adsetId : ad.adId;
      if (seen.has(id)) continue;
      seen.add(id);
      const common = {
        status: ad.effectiveStatus,
        effective_status: ad.effectiveStatus,
        updated_time: ad.updatedTime,
      };
      if (kind === 'campaign') out.push({ id, name: ad.campaignName, ...common });
      else if (kind === 'adset') out.push({ id, name: ad.adsetName, campaign_id: ad.campaignId, ...common });
      else out.push({ id, name: ad.adName, campaign_id: ad.campaignId, adset_id: ad.adsetId, ...common });
    }
    return this.page(req, out);
  }

  private insightRows(
    account: FixtureAccount,
    params: URLSearchParams,
  ): Record<string, unknown>[] | SimResponse {
    let range: { since?: string; until?: string };
    try {
      range = JSON.parse(params.get('time_range') ?? '');
    } catch {
      return graphError(400, 100, 'Param time_range must be a JSON object with since and until');
    }
    if (params.get('level') !== 'ad' || params.get('time_increment') !== '1') {
      return graphError(400, 100, 'Param level must be one of {ad, adset, campaign, account}');
    }
    const since = range.since ?? '';
    const until = range.until ?? '';
    const ads = new Map(this.fixture.ads.map((a) => [a.adId, a]));
    return this.fixture.insights
      .filter((r) => r.accountId === account.id && r.date >= since && r.date <= until)
      .map((r) => {
        const ad = ads.get(r.adId)!;
        const actions = [{ action_type: 'link_click', value: r.clicks }];
        if (r.messagingStarted !== null)
          actions.push({ action_type: MESSAGING_STARTED_ACTION, value: r.messagingStarted });
        return {
          account_id: account.id.slice(4),
          ad_id: r.adId,
          ad_name: ad.adName,
          adset_id: ad.adsetId,
          adset_name: ad.adsetName,
          campaign_id: ad.campaignId,
          campaign_name: ad.campaignName,
          spend: r.spend,
          impressions: r.impressions,
          clicks: r.clicks,
          actions,
          account_currency: account.currency,
          date_start: r.date,
          date_stop: r.date,
        };
      });
  }

  private insights(req: SimRequest, account: FixtureAccount, params: URLSearchParams): SimResponse {
    const rows = this.insightRows(account, params);
    return Array.isArray(rows) ? this.page(req, rows) : rows;
  }

  private startRun(account: FixtureAccount, params: URLSearchParams): SimResponse {
    const rows = this.insightRows(account, params);
    if (!Array.isArray(rows)) return rows;
    const id = `run_${this.nextRun++}`;
    const fail = this.failuresLeft > 0;
    if (fail) this.failuresLeft--;
    this.runs.set(id, { accountId: account.id, params: new URLSearchParams(params), polls: 0, fail });
    return { status: 200, body: { report_run_id: id } };
  }

  private runStatus(run: Run, id: string): SimResponse {
    run.polls++;
    const needed = this.options.asyncPolls ?? 1;
    let status = 'Job Running';
    let pct = Math.min(99, Math.round((run.polls / (needed + 1)) * 100));
    if (run.polls > needed) {
      status = run.fail ? 'Job Failed' : 'Job Completed';
      pct = run.fail ? pct : 100;
    }
    return { status: 200, body: { id, async_status: status, async_percent_completion: pct } };
  }

  private ad(id: string): SimResponse {
    const ad = this.fixture.ads.find((a) => a.adId === id);
    if (!ad) {
      return graphError(
        400,
        100,
        `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        33,
      );
    }
    return {
      status: 200,
      body: {
        id,
        name: ad.adName,
        campaign: { id: ad.campaignId, name: ad.campaignName },
        adset: { id: ad.adsetId, name: ad.adsetName },
      },
    };
  }

  /** Cursor paging: `after` is an offset; `next` is present while rows remain. */
  private page(req: SimRequest, rows: unknown[]): SimResponse {
    const offset = Number(Buffer.from(req.params.get('after') ?? 'MA==', 'base64').toString('utf8')) || 0;
    const limit = Math.max(1, Number(req.params.get('limit') ?? 25));
    const sizes = this.options.pageSizes;
    const size = sizes?.length ? Math.min(limit, sizes[this.pageIndex++ % sizes.length]!) : limit;
    const data = rows.slice(offset, offset + size);
    const end = offset + size;
    const body: Record<string, unknown> = { data };
    if (end < rows.length) {
      const next = new URL(req.url);
      for (const [k, v] of req.params) if (!next.searchParams.has(k)) next.searchParams.set(k, v);
      next.searchParams.set('after', Buffer.from(String(end)).toString('base64'));
      body.paging = { cursors: { after: next.searchParams.get('after') }, next: next.toString() };
    }
    return { status: 200, body };
  }
}

function accountJson(a: FixtureAccount): Record<string, unknown> {
  return {
    id: a.id,
    account_id: a.id.slice(4),
    name: a.name,
    currency: a.currency,
    timezone_name: a.timezone_name,
    timezone_offset_hours_utc: 0,
    account_status: a.account_status ?? 1,
  };
}

function parseFiltering(raw: string | null): { field: string; operator: string; value: unknown }[] {
  if (!raw) return [];
  try {
    const v = JSON.parse(raw);
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

/** Merged query + form parameters of a request, the way Graph reads them. */
export function requestParams(url: URL, body: unknown): URLSearchParams {
  const params = new URLSearchParams(url.searchParams);
  const form =
    body instanceof URLSearchParams ? body : typeof body === 'string' ? new URLSearchParams(body) : null;
  if (form) for (const [k, v] of form) params.set(k, v);
  return params;
}

/**
 * The token of a request as the client must send it: `Authorization: Bearer`. A token in the URL or
 * form (`access_token`) is refused, so a client that would leak it into access logs fails its tests.
 */
export function bearerToken(req: SimRequest): string | null {
  if (req.params.has('access_token')) return null;
  const m = /^Bearer (.+)$/.exec(req.authorization ?? '');
  return m ? m[1]! : null;
}

/** An in-process `fetch` answering from the fixture (no network): for the demo and tests. */
export function createFixtureFetch(fixture: MetaFixture, options: SimulatorOptions = {}): FetchLike {
  const sim = new GraphSimulator(fixture, options);
  return async (input, init) => {
    const url = new URL(input);
    const res = sim.handle({
      method: init.method ?? 'GET',
      url,
      params: requestParams(url, init.body),
      authorization: new Headers(init.headers).get('authorization'),
    });
    return new Response(JSON.stringify(res.body), {
      status: res.status,
      headers: { 'content-type': 'application/json', ...res.headers },
    });
  };
}
