import { ApiError } from '../../shared/contract/errors';

// Error handling follows https://developers.facebook.com/docs/graph-api/guides/error-handling (codes 1, 2, 190,
// is_transient) and https://developers.facebook.com/docs/marketing-api/error-reference (rate limits, 100 subcodes).

/** What the client (or its caller) does about a failed Graph call. */
export type GraphErrorKind =
  | 'auth' // 190/102: token expired or revoked → stop, mark "needs login"
  | 'throttle' // 4, 17, 32, 613, 80000–80008 (as HTTP 400) → wait, then retry
  | 'transient' // 1, 2, is_transient, HTTP 5xx → exponential retry
  | 'reduce-data' // "reduce the amount of data", 100/1487534, 100/1504018 → smaller pages or windows
  | 'param' // 100: invalid parameter → a clear error naming it
  | 'permission' // 10, 200–299: a permission is missing
  | 'other';

export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
  fbtrace_id?: string;
  is_transient?: boolean;
}

const THROTTLE_CODES = new Set([4, 17, 32, 613]);
const REDUCE_DATA_SUBCODES = new Set([1487534, 1504018]);

export function classifyGraphError(httpStatus: number, body: GraphErrorBody): GraphErrorKind {
  const code = body.code ?? 0;
  const message = body.message ?? '';
  if (code === 190 || code === 102) return 'auth';
  if (THROTTLE_CODES.has(code) || (code >= 80000 && code <= 80008)) return 'throttle';
  if (/reduce the amount of data/i.test(message)) return 'reduce-data';
  if (code === 100 && body.error_subcode !== undefined && REDUCE_DATA_SUBCODES.has(body.error_subcode))
    return 'reduce-data';
  if (code === 1 || code === 2 || body.is_transient === true || httpStatus >= 500) return 'transient';
  if (code === 100) return 'param';
  if (code === 10 || (code >= 200 && code <= 299)) return 'permission';
  return 'other';
}

/** The parameter a code-100 message names, e.g. "(#100) Param time_range must be …" or "nonexisting field (foo)". */
export function parameterFromMessage(message: string): string | undefined {
  const m =
    /\bparam(?:eter)?s?\s+["'`]?([A-Za-z_][\w.[\]]*)/i.exec(message) ??
    /\bfield\s*\(([^)]+)\)/i.exec(message) ??
    null;
  return m?.[1];
}

function apiCode(kind: GraphErrorKind): string {
  switch (kind) {
    case 'auth':
      return 'meta_needs_login';
    case 'throttle':
      return 'rate_limited';
    case 'transient':
      return 'unavailable';
    case 'param':
      return 'invalid_argument';
    case 'permission':
      return 'forbidden';
    default:
      return 'meta_error';
  }
}

function explain(
  kind: GraphErrorKind,
  path: string,
  body: GraphErrorBody,
  param: string | undefined,
): string {
  const detail = body.error_user_msg || body.message || 'no message';
  switch (kind) {
    case 'auth':
      return `Meta no longer accepts the stored login (${detail}). Reconnect Meta (insights meta connect).`;
    case 'throttle':
      return `Meta is rate-limiting this app or ad account (code ${body.code}); try again later.`;
    case 'param':
      return `Meta rejected the parameter "${param ?? 'unknown'}" of ${path}: ${detail}`;
    case 'permission':
      return `Meta refused ${path} for lack of permission (${detail}). The token needs ads_read.`;
    default:
      return `Meta answered ${path} with an error: ${detail}`;
  }
}

/**
 * A Graph API error. It is an ApiError (its message is for people and never holds the token or a URL
 * with one), and keeps Meta's code, subcode and kind for the sync to decide what to do.
 */
export class GraphError extends ApiError {
  readonly kind: GraphErrorKind;
  readonly graphCode: number | undefined;
  readonly subcode: number | undefined;
  readonly httpStatus: number;
  readonly fbtraceId: string | undefined;
  readonly graphMessage: string;

  constructor(httpStatus: number, body: GraphErrorBody, path: string) {
    const kind = classifyGraphError(httpStatus, body);
    const param = kind === 'param' ? parameterFromMessage(body.message ?? '') : undefined;
    super(apiCode(kind), explain(kind, path, body, param), param);
    this.kind = kind;
    this.graphCode = body.code;
    this.subcode = body.error_subcode;
    this.httpStatus = httpStatus;
    this.fbtraceId = body.fbtrace_id;
    this.graphMessage = body.message ?? '';
  }
}
