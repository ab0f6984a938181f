import { ApiError } from '../../shared/contract/errors';
import { GraphError, type GraphErrorBody } from './graph-error';
import { NO_USAGE, parseUsage, type Usage } from './usage';

// A small Graph API client: query building, paging, usage-based pacing, retries. Every wait goes through
// the injected `sleep`, so tests run the real logic without waiting.
// Paging: https://developers.facebook.com/docs/graph-api/results ("Cursor-based Pagination"); errors and
// throttling: https://developers.facebook.com/docs/marketing-api/error-reference and
// https://developers.facebook.com/docs/graph-api/overview/rate-limiting.

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface WaitInfo {
  reason: 'usage' | 'throttle' | 'retry';
  ms: number;
  detail: string;
}

export interface GraphClientOptions {
  baseUrl: string;
  /** e.g. "v25.0" */
  version: string;
  /** A user/system-user token, or "APP_ID|CLIENT_TOKEN" for Login for Devices. */
  accessToken: string;
  fetch?: FetchLike;
  sleep?: Sleep;
  signal?: AbortSignal;
  /** Told about every wait (the sync shows it as progress detail). */
  onWait?: (info: WaitInfo) => void;
  /** Pause before the next call when a usage header reports at least this percentage. Default 90. */
  usageThreshold?: number;
  /** Retries of transient failures (1, 2, is_transient, 5xx, network): delays baseMs·factor^n. */
  retry?: { attempts: number; baseMs: number; factor: number; maxMs: number };
  /** Retries of rate-limit errors (each waits estimated_time_to_regain_access, at least minWaitMs). */
  throttle?: { attempts: number; minWaitMs: number };
}

export type Params = Record<string, string | number | undefined>;

interface Paged<T> {
  data?: T[];
  paging?: { next?: string };
}

/** Smallest page size the client halves down to on "reduce the amount of data" before giving up. */
const MIN_LIMIT = 10;

export class GraphClient {
  private readonly base: URL;
  private readonly fetchImpl: FetchLike;
  private readonly sleepImpl: Sleep;
  private readonly retry: Required<GraphClientOptions>['retry'];
  private readonly throttle: Required<GraphClientOptions>['throttle'];
  private readonly usageThreshold: number;
  /** Usage reported by the last response. */
  usage: Usage = NO_USAGE;
  /** Number of HTTP requests sent (tests and progress read it). */
  requests = 0;

  constructor(private readonly options: GraphClientOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.sleepImpl = options.sleep ?? realSleep;
    this.retry = options.retry ?? { attempts: 5, baseMs: 1000, factor: 5, maxMs: 300_000 };
    this.throttle = options.throttle ?? { attempts: 8, minWaitMs: 60_000 };
    this.usageThreshold = options.usageThreshold ?? 90;
  }

  get version(): string {
    return this.options.version;
  }

  /** Absolute URL of a Graph path (`me/adaccounts`, `/act_1/insights`) with the version prefix. */
  url(path: string, params: Params = {}): URL {
    const url = new URL(`${this.options.version}/${path.replace(/^\/+/, '')}`, this.base);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  async get<T>(path: string, params: Params = {}): Promise<T> {
    return (await this.send('GET', this.url(path, params), undefined, path)) as T;
  }

  /** POST as a form, the way Graph takes it (device login, async report runs). */
  async post<T>(path: string, params: Params = {}): Promise<T> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, String(v));
    return (await this.send('POST', this.url(path), body, path)) as T;
  }

  /** POST a JSON body (the Conversions API takes its events so). */
  async postJson<T>(path: string, body: unknown): Promise<T> {
    return (await this.send('POST', this.url(path), JSON.stringify(body), path)) as T;
  }

  /**
   * Every page of a list, following `paging.next` until it is absent (pages may be short or empty
   * while `next` is still there). On "reduce the amount of data" the page size is halved and the same
   * page asked again; below MIN_LIMIT the error goes to the caller, which narrows its window.
   */
  async *pages<T>(path: string, params: Params = {}): AsyncGenerator<T[]> {
    let url = this.url(path, params);
    let limit = Number(params.limit ?? 100);
    for (;;) {
      let page: Paged<T>;
      try {
        page = (await this.send('GET', url, undefined, path)) as Paged<T>;
      } catch (err) {
        if (err instanceof GraphError && err.kind === 'reduce-data' && limit > MIN_LIMIT) {
          limit = Math.max(MIN_LIMIT, Math.floor(limit / 2));
          url.searchParams.set('limit', String(limit));
          continue;
        }
        throw err;
      }
      yield page.data ?? [];
      const next = page.paging?.next;
      if (!next) return;
      url = this.followable(next, path);
      if (url.searchParams.has('limit')) url.searchParams.set('limit', String(limit));
    }
  }

  async all<T>(path: string, params: Params = {}): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.pages<T>(path, params)) out.push(...page);
    return out;
  }

  /** A `paging.next` link is only followed on the configured Graph host: the token must not go elsewhere. */
  private followable(next: string, path: string): URL {
    let url: URL;
    try {
      url = new URL(next);
    } catch {
      throw new ApiError('meta_error', `Meta returned an unreadable next-page link for ${path}`);
    }
    if (url.origin !== this.base.origin) {
      throw new ApiError(
        'meta_error',
        `Meta returned a next-page link for ${path} on another host (${url.host}); not followed`,
      );
    }
    return url;
  }

  private async send(
    method: 'GET' | 'POST',
    url: URL,
    body: URLSearchParams | string | undefined,
    path: string,
  ): Promise<unknown> {
    let transientTries = 0;
    let throttleTries = 0;
    for (;;) {
      this.options.signal?.throwIfAborted();
      await this.paceByUsage();
      const target = new URL(url);
      const form = body === undefined || typeof body === 'string' ? body : new URLSearchParams(body);
      // The token goes in a header, never in the URL, where proxies and access logs would keep it
      // (Graph accepts "Authorization: Bearer <token>" wherever it takes access_token:
      // https://developers.facebook.com/docs/graph-api/overview#access-tokens ; RFC 6750 §2.1 and §5.3).
      const headers: Record<string, string> = { authorization: `Bearer ${this.options.accessToken}` };
      if (form !== undefined)
        headers['content-type'] =
          typeof form === 'string' ? 'application/json' : 'application/x-www-form-urlencoded';

      let res: Response;
      let text: string;
      try {
        this.requests++;
        res = await this.fetchImpl(target.toString(), {
          method,
          headers,
          ...(form !== undefined ? { body: form } : {}),
          ...(this.options.signal ? { signal: this.options.signal } : {}),
        });
        text = await res.text();
      } catch (err) {
        if (this.options.signal?.aborted || !isNetworkError(err)) throw err;
        if (transientTries >= this.retry.attempts) {
          throw new ApiError('unavailable', `Could not reach Meta (${path}): ${(err as Error).message}`);
        }
        await this.wait('retry', this.backoff(transientTries++), `network error on ${path}, retrying`);
        continue;
      }
      this.usage = parseUsage(res.headers);
      const json = parseBody(text);
      const errorBody = errorOf(json);
      if (res.ok && !errorBody) return json;

      const error = new GraphError(res.status, errorBody ?? { message: `HTTP ${res.status}` }, path);
      if (error.kind === 'transient' && transientTries < this.retry.attempts) {
        await this.wait(
          'retry',
          this.backoff(transientTries++),
          `Meta error ${error.graphCode ?? res.status} on ${path}, retrying`,
        );
        continue;
      }
      if (error.kind === 'throttle' && throttleTries < this.throttle.attempts) {
        throttleTries++;
        const ms = Math.max(this.throttle.minWaitMs, this.usage.regainSeconds * 1000);
        await this.wait(
          'throttle',
          ms,
          `Meta rate limit (code ${error.graphCode}), waiting ${Math.round(ms / 1000)} s`,
        );
        continue;
      }
      throw error;
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.retry.maxMs, this.retry.baseMs * this.retry.factor ** attempt);
  }

  /** Above the threshold, pause for max(estimated_time_to_regain_access, minWaitMs) before the next call. */
  private async paceByUsage(): Promise<void> {
    const u = this.usage;
    if (u.maxPct < this.usageThreshold) return;
    const ms = Math.max(this.throttle.minWaitMs, u.regainSeconds * 1000);
    // Assume the pause restored some allowance; the next response reports the real figure.
    this.usage = NO_USAGE;
    await this.wait(
      'usage',
      ms,
      `Meta usage at ${Math.round(u.maxPct)} % (${u.source}), pausing ${Math.round(ms / 1000)} s`,
    );
  }

  private async wait(reason: WaitInfo['reason'], ms: number, detail: string): Promise<void> {
    this.options.onWait?.({ reason, ms, detail });
    await this.sleepImpl(ms, this.options.signal);
  }
}

function parseBody(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: `unreadable answer: ${text.slice(0, 120)}` } };
  }
}

function errorOf(json: unknown): GraphErrorBody | undefined {
  if (json && typeof json === 'object' && 'error' in json) {
    const e = (json as { error: unknown }).error;
    if (e && typeof e === 'object') return e as GraphErrorBody;
  }
  return undefined;
}

/** fetch rejects with a TypeError ("fetch failed") when the network fails; anything else is a bug or a kill. */
function isNetworkError(err: unknown): boolean {
  return err instanceof TypeError;
}
