import type { ApiErrorShape } from './define';

/** An error meant for the user: thrown by the core, carried unchanged over IPC and HTTP. */
export class ApiError extends Error {
  readonly code: string;
  readonly field?: string;
  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    if (field !== undefined) this.field = field;
  }
  toJSON(): ApiErrorShape {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
  static from(shape: ApiErrorShape): ApiError {
    return new ApiError(shape.code, shape.message, shape.field);
  }
}

/** HTTP status for an error code, shared by the API server and the receivers. */
export function httpStatusFor(code: string): number {
  switch (code) {
    case 'invalid_argument':
    case 'bad_request':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'payload_too_large':
      return 413;
    case 'unavailable':
      return 503;
    default:
      return 500;
  }
}

/** A thrown value as every transport carries it: an ApiError unchanged, a cancel, anything else `internal`. */
export function toErrorShape(err: unknown): ApiErrorShape {
  if (
    err &&
    typeof err === 'object' &&
    'code' in err &&
    typeof (err as { code: unknown }).code === 'string'
  ) {
    const e = err as { code: string; message?: string; field?: string; name?: string };
    if (e.name === 'ApiError') {
      return e.field === undefined
        ? { code: e.code, message: e.message ?? e.code }
        : { code: e.code, message: e.message ?? e.code, field: e.field };
    }
  }
  if (err && typeof err === 'object' && (err as { name?: string }).name === 'AbortError') {
    return { code: 'cancelled', message: 'Cancelled' };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}
