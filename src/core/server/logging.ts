import type { FastifyServerOptions } from 'fastify';

// Structured request logs: fastify's pino, one JSON object a line, each request's lines carrying its
// id as `reqId` (https://fastify.dev/docs/latest/Reference/Logging/). What is logged of a request is
// chosen here, field by field, so that no secret reaches a log: no headers at all (Authorization
// carries channel secrets and API tokens), no bodies (external events carry `api_key`), and URLs
// without their query's values (the SSE stream takes `?token=`).

export interface LogOptions {
  /** pino level: fatal, error, warn, info (default), debug, trace or silent. */
  level?: string;
  /** Where the JSON lines go (default: stdout). */
  stream?: { write(line: string): unknown };
}

export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's id is kept if it is a plain token: no spaces, quotes or control characters to forge lines. */
const SANE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The incoming X-Request-Id when it is sane, else undefined (a new one is made). */
export function requestIdOf(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && SANE_ID.test(header) ? header : undefined;
}

/** A URL as logged: the path, and the query's names with their values hidden. */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = url
    .slice(q + 1)
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => `${p.split('=')[0]}=…`);
  return `${url.slice(0, q)}?${names.join('&')}`;
}

/** Paths pino blanks wherever an object logged by us or a library carries them. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'api_key',
  '*.api_key',
  'token',
  '*.token',
  'secret',
  '*.secret',
];

export function loggerOptions(log: boolean | LogOptions | undefined): FastifyServerOptions['logger'] {
  if (!log) return false;
  const o = log === true ? {} : log;
  return {
    level: o.level ?? 'info',
    ...(o.stream ? { stream: o.stream } : {}),
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
        method: req.method,
        url: loggableUrl(req.url),
        remoteAddress: req.ip ?? req.socket?.remoteAddress,
      }),
    },
  } as FastifyServerOptions['logger'];
}
