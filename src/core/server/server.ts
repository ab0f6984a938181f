import { randomUUID, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { CallResult, CoreEvent } from '../../shared/contract';
import { ApiError, httpStatusFor, toErrorShape } from '../../shared/contract/errors';
import { SECURITY_HEADERS } from '../../shared/security-headers';
import type { CoreHost } from '../host/host';
import { okEnvelopeBytes, roundMs } from '../host/wire';
import { MAX_BODY_BYTES } from '../ingest/json-body';
import type { HostApi } from '../kernel/host-api';
import { type BackendHealth, healthProbe, SQLITE_HEALTH } from './health';
import { type LogOptions, loggerOptions, REQUEST_ID_HEADER, requestIdOf } from './logging';
import { receiverRoutes } from './routes';

export interface ServerOptions {
  host: CoreHost;
  /** Who stores what the receivers get (default `host`; the PostgreSQL collector with --database). */
  receivers?: HostApi;
  listenHost?: string;
  port?: number;
  /** The built renderer (out/renderer); browser mode serves it at /. */
  rendererDir?: string | undefined;
  /** Required as `Authorization: Bearer` on /api (and `?token=` for SSE). null only in trusted embeddings. */
  apiToken: string | null;
  /** Largest accepted request body in bytes (webhooks too): larger → 413. */
  bodyLimit?: number;
  /** Structured (pino) request logs with a request id on every line; off when absent or false. */
  log?: boolean | LogOptions;
  /** The store /healthz checks (default: SQLite, the embedded store). */
  health?: BackendHealth;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  port: number;
  /** Stops accepting connections; resolves once every connection has ended. */
  close(): Promise<void>;
  /**
   * Resolves once no receiver request (anything outside /api) is in flight, or after `timeoutMs`.
   * Shutdown waits on it before closing the core, so a delivery that arrived before the stop gets its
   * answer after its commit rather than "shutting down".
   */
  drained(timeoutMs: number): Promise<void>;
}

export const DEFAULT_BODY_LIMIT = MAX_BODY_BYTES;

/**
 * Browser mode's HTTP API (the same contract as IPC) plus the receivers that 360dialog, the
 * business's systems and the desktop's collector sync talk to.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const app = Fastify({
    logger: loggerOptions(options.log),
    // Our own id on every request, or the caller's (a proxy's X-Request-Id) when it is a sane token;
    // fastify puts it on every log line of the request as reqId
    // (https://fastify.dev/docs/latest/Reference/Server/#genreqid).
    requestIdHeader: false,
    genReqId: (req) => requestIdOf(req.headers[REQUEST_ID_HEADER]) ?? randomUUID(),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Deeply nested JSON must not blow the stack of whoever parses it next.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });

  // Browser mode's page, its files and the API answer with the renderer's CSP and anti-framing headers:
  // the meta tag cannot carry frame-ancestors (https://www.w3.org/TR/CSP3/#meta-element).
  app.addHook('onSend', async (req, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    reply.header(REQUEST_ID_HEADER, req.id);
    return payload;
  });

  // Receiver requests in flight (deliveries, events, sends, sync), for drained().
  let inFlight = 0;
  const idleWaiters = new Set<() => void>();
  app.addHook('onRequest', (req, reply, done) => {
    if (!req.url.startsWith('/api/')) {
      inFlight++;
      // 'close' comes once per response, sent or cut off (https://nodejs.org/api/http.html#event-close_2).
      reply.raw.once('close', () => {
        if (--inFlight === 0) for (const wake of idleWaiters) wake();
      });
    }
    done();
  });
  const drained = (timeoutMs: number) =>
    new Promise<void>((resolve) => {
      if (inFlight === 0) return resolve();
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        idleWaiters.delete(done);
        resolve();
      }
      idleWaiters.add(done);
    });

  app.setErrorHandler((err, _req, reply) => {
    const e = err as { statusCode?: number; code?: string; message: string };
    if (e.statusCode === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply
        .code(413)
        .send({ ok: false, error: { code: 'payload_too_large', message: 'The request body is too large' } });
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ ok: false, error: { code: 'bad_request', message: e.message } });
    }
    const shape = toErrorShape(err);
    return reply.code(httpStatusFor(shape.code)).send({ ok: false, error: shape });
  });

  const token = options.apiToken;
  const loopbackOnly = isLoopback(options.listenHost ?? '127.0.0.1');
  /**
   * The token comes as `Authorization: Bearer` — in the query string only where `queryToken` says so
   * (the SSE stream: EventSource cannot set headers), so a POST's URL never carries it into a log.
   */
  const authorised = (req: FastifyRequest, queryToken = false): boolean => {
    // A page on another site could reach 127.0.0.1 through DNS rebinding: on loopback, only loopback Host names.
    if (loopbackOnly && !isLoopback(hostnameOf(req.headers.host ?? ''))) return false;
    if (token === null) return true;
    const header = req.headers.authorization;
    const query = (req.query as Record<string, unknown> | undefined)?.token;
    const given = header?.startsWith('Bearer ')
      ? header.slice(7)
      : queryToken && typeof query === 'string'
        ? query
        : '';
    return safeEqual(given, token);
  };

  app.post<{ Params: { method: string }; Body: { workspace?: unknown; args?: unknown } }>(
    '/api/:method',
    async (req, reply) => {
      if (!authorised(req))
        return sendResult(reply, 401, {
          ok: false,
          error: { code: 'unauthorized', message: 'Missing or wrong API token' },
        });
      const body = req.body ?? {};
      const workspace = typeof body.workspace === 'string' ? body.workspace : undefined;
      try {
        const { json, handlerMs } = await options.host.callJson(
          req.params.method,
          workspace,
          body.args ?? {},
        );
        // Already JSON: sent as it is, with the handler's time for the browser's devtools and bench:ui
        // (https://www.w3.org/TR/server-timing/#the-server-timing-header-field).
        return reply
          .code(200)
          .header('cache-control', 'no-store')
          .header('server-timing', `handler;dur=${roundMs(handlerMs)}`)
          .type('application/json; charset=utf-8')
          .send(okEnvelopeBytes(json, handlerMs));
      } catch (err) {
        const shape = toErrorShape(err);
        return sendResult(reply, httpStatusFor(shape.code), { ok: false, error: shape });
      }
    },
  );

  // close() waits for open connections. Event streams never end by themselves: it ends them. A request
  // answered while closing (a call the host cancelled) leaves a keep-alive connection: closed once idle.
  const streams = new Set<FastifyReply['raw']>();
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    for (const res of streams) res.end();
    done();
  });
  app.addHook('onResponse', (_req, _reply, done) => {
    if (closing) setImmediate(() => app.server.closeIdleConnections());
    done();
  });

  app.get('/api/events', (req, reply) => {
    if (!authorised(req, true)) {
      reply
        .code(401)
        .send({ ok: false, error: { code: 'unauthorized', message: 'Missing or wrong API token' } });
      return;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    const send = (e: CoreEvent) => res.write(`data: ${JSON.stringify(e)}\n\n`);
    const off = options.host.onEvent(send);
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    streams.add(res);
    req.raw.on('close', () => {
      streams.delete(res);
      off();
      clearInterval(ping);
    });
  });

  const checkHealth = healthProbe(options.health ?? SQLITE_HEALTH);
  app.get('/healthz', async (req, reply) => {
    const answer = await checkHealth();
    if (answer.status !== 200)
      req.log.warn({ health: answer.body, error: answer.error }, 'health check failed');
    return reply.code(answer.status).header('cache-control', 'no-store').send(answer.body);
  });

  for (const register of receiverRoutes) await register(app, options.receivers ?? options.host);

  if (options.rendererDir && fs.existsSync(options.rendererDir)) {
    const assets = path.join(options.rendererDir, 'assets') + path.sep;
    await app.register(fastifyStatic, {
      root: options.rendererDir,
      index: ['index.html'],
      wildcard: false,
      cacheControl: false,
      // The full policy as a header: frame-ancestors has no effect in the page's meta tag.
      setHeaders: (res, file) => {
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
        // The bundle's files are named by their content's hash: a launch takes them from the cache without
        // asking again (https://www.rfc-editor.org/rfc/rfc8246, "The Immutable Cache-Control Extension"). The
        // page that names them is checked on every load (https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.4).
        res.setHeader(
          'cache-control',
          file.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
    app.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && !req.url.startsWith('/api/')) return reply.sendFile('index.html');
      return reply
        .code(404)
        .send({ ok: false, error: { code: 'not_found', message: `No route ${req.method} ${req.url}` } });
    });
  }

  const address = await app.listen({ host: options.listenHost ?? '127.0.0.1', port: options.port ?? 0 });
  const port = (app.server.address() as { port: number }).port;
  const url = address.replace('[::1]', 'localhost');
  return { app, url, port, close: () => app.close(), drained };
}

function sendResult(reply: FastifyReply, status: number, result: CallResult) {
  return reply.code(status).header('cache-control', 'no-store').send(result);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function hostnameOf(hostHeader: string): string {
  return hostHeader.startsWith('[')
    ? hostHeader.slice(0, hostHeader.indexOf(']') + 1)
    : hostHeader.split(':')[0]!;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export { ApiError };
