import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import { getSetting } from '../db/settings';

// HTTP client for 360dialog's Cloud API endpoints (https://docs.360dialog.com/docs/waba-basics/the-basics-overview): one API key per phone
// number channel, sent as `D360-API-KEY`; base https://waba-v2.360dialog.io.

export const DEFAULT_360DIALOG_URL = 'https://waba-v2.360dialog.io';
/** Workspace setting that points one workspace at another base (a sandbox, a test server). */
export const BASE_URL_SETTING = 'dialog360.baseUrl';

/** Base URL: the workspace setting, else INSIGHTS_360DIALOG_URL, else 360dialog's production host. */
export function dialog360BaseUrl(db?: Db): string {
  return baseUrlFrom(db ? getSetting<string | null>(db, BASE_URL_SETTING, null) : null);
}

/** The base URL from a workspace's setting (wherever it is stored), else the environment, else 360dialog's. */
export function baseUrlFrom(fromSetting: string | null): string {
  return (fromSetting || process.env.INSIGHTS_360DIALOG_URL || DEFAULT_360DIALOG_URL).replace(/\/+$/, '');
}

export interface WebhookConfig {
  url: string | null;
}

export interface RawTemplate {
  name: string;
  language: string;
  status: string | null;
  category: string | null;
  components: unknown[];
}

export interface UpstreamResponse {
  status: number;
  contentType: string | null;
  /** The body exactly as 360dialog sent it. */
  text: string;
}

export interface Dialog360ClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const TEMPLATE_PAGE = 500;

export class Dialog360Client {
  private readonly base: string;
  constructor(private readonly options: Dialog360ClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  /** Sends a request; network failures become `unavailable` with the host named (never the key). */
  async request(method: 'GET' | 'POST', path: string, body?: string): Promise<UpstreamResponse> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    const signal = this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          'D360-API-KEY': this.options.apiKey,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body }),
        signal,
      });
    } catch (err) {
      if (this.options.signal?.aborted) throw err;
      const why = timeout.aborted ? 'timed out' : networkReason(err);
      throw new ApiError('unavailable', `360dialog could not be reached at ${this.base} (${why})`);
    }
    return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
  }

  private async json(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const res = await this.request(method, path, body === undefined ? undefined : JSON.stringify(body));
    if (res.status === 401 || res.status === 403) {
      throw new ApiError(
        'forbidden',
        `360dialog refused the channel's API key (HTTP ${res.status})`,
        'apiKey',
      );
    }
    if (res.status < 200 || res.status >= 300) {
      throw new ApiError(
        'unavailable',
        `360dialog answered HTTP ${res.status} on ${path}: ${upstreamMessage(res.text)}`,
      );
    }
    if (res.text.trim() === '') return {};
    try {
      return JSON.parse(res.text) as unknown;
    } catch {
      throw new ApiError('unavailable', `360dialog answered ${path} with something that is not JSON`);
    }
  }

  /** true when 360dialog accepts the key; false on 401/403. Uses the cheap webhook read. */
  async checkKey(): Promise<{ valid: boolean; status: number }> {
    const res = await this.request('GET', '/v1/configs/webhook');
    if (res.status === 401 || res.status === 403) return { valid: false, status: res.status };
    if (res.status >= 200 && res.status < 300) return { valid: true, status: res.status };
    throw new ApiError('unavailable', `360dialog answered HTTP ${res.status}: ${upstreamMessage(res.text)}`);
  }

  async getWebhook(): Promise<WebhookConfig> {
    const body = (await this.json('GET', '/v1/configs/webhook')) as { url?: unknown };
    return { url: typeof body.url === 'string' && body.url !== '' ? body.url : null };
  }

  /** POST /v1/configs/webhook with {url, headers}: 360dialog sends these headers on every delivery. */
  async setWebhook(url: string, headers: Record<string, string>): Promise<WebhookConfig> {
    const body = (await this.json('POST', '/v1/configs/webhook', { url, headers })) as { url?: unknown };
    return { url: typeof body.url === 'string' ? body.url : url };
  }

  /** Every template of the channel's WABA, following 360dialog's limit/offset paging. */
  async getTemplates(): Promise<RawTemplate[]> {
    const out: RawTemplate[] = [];
    for (let offset = 0; ; offset += TEMPLATE_PAGE) {
      const body = (await this.json(
        'GET',
        `/v1/configs/templates?limit=${TEMPLATE_PAGE}&offset=${offset}`,
      )) as {
        waba_templates?: unknown;
        data?: unknown;
        total?: unknown;
      };
      // 360dialog wraps them in `waba_templates` (with count/total/offset); Meta's shape is `data`.
      const list = Array.isArray(body.waba_templates)
        ? body.waba_templates
        : Array.isArray(body.data)
          ? body.data
          : null;
      if (!list) throw new ApiError('unavailable', '360dialog returned templates in an unknown shape');
      for (const t of list) {
        const parsed = parseTemplate(t);
        if (parsed) out.push(parsed);
      }
      const total = typeof body.total === 'number' ? body.total : null;
      if (list.length < TEMPLATE_PAGE || total === null || offset + list.length >= total) return out;
    }
  }
}

function parseTemplate(t: unknown): RawTemplate | null {
  if (!t || typeof t !== 'object') return null;
  const o = t as Record<string, unknown>;
  if (typeof o.name !== 'string' || o.name === '') return null;
  return {
    name: o.name,
    language: typeof o.language === 'string' ? o.language : '',
    status: typeof o.status === 'string' ? o.status : null,
    category: typeof o.category === 'string' ? o.category : null,
    components: Array.isArray(o.components) ? o.components : [],
  };
}

/** Why fetch failed, as a short code (ECONNREFUSED, ENOTFOUND, …) for messages people read. */
export function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; errors?: { code?: unknown }[]; message?: unknown } })
    .cause;
  const code = cause?.code ?? cause?.errors?.find((e) => typeof e.code === 'string')?.code;
  if (typeof code === 'string') return code;
  return typeof cause?.message === 'string' && cause.message ? cause.message : 'failed';
}

/** A short, single-line excerpt of an upstream error body for messages shown to people. */
function upstreamMessage(text: string): string {
  try {
    const body = JSON.parse(text) as {
      error?: { message?: unknown };
      meta?: { developer_message?: unknown };
    };
    const msg = body.error?.message ?? body.meta?.developer_message;
    if (typeof msg === 'string') return msg.slice(0, 200);
  } catch {
    // not JSON: fall through to the raw excerpt
  }
  return text.replace(/\s+/g, ' ').slice(0, 200) || '(empty body)';
}
