import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { httpStatusFor, toErrorShape } from '../../shared/contract/errors';
import type { HostApi } from '../kernel/host-api';
import { workspaceExists } from '../workspace/workspaces';
import type { FeedPage } from './feed';
import { tokenWorkspace } from './tokens';
import { SYNC_MAX_LIMIT, SYNC_PAGE_LIMIT, type SyncLine } from './wire';

/** Rows read per round trip to the read lane while streaming one response. */
const CHUNK = 500;

/** Largest handover body: HANDOVER_MAX entries of a few hundred bytes each, with room to spare. */
const HANDOVER_BODY_LIMIT = 2 * 1024 * 1024;

/** The collector's routes for desktops (docs/collector.md), authenticated by a read token (Bearer). */
export function registerCollectorRoutes(app: FastifyInstance, host: HostApi): void {
  /**
   * POST /v1/conversions/sent — a desktop reports conversions it sent to Meta before it was connected,
   * so this collector never sends them too (handover.ts). It can only mark entries as sent; the
   * handler checks the body.
   */
  app.post('/v1/conversions/sent', { bodyLimit: HANDOVER_BODY_LIMIT }, async (req, reply) => {
    const { token, workspace } = readToken(req.headers.authorization);
    if (!workspace || !knownWorkspace(host, workspace)) return unauthorized(reply);
    try {
      await host.internal('collector.authorize', workspace, { token });
      return await host.internal('collector.conversionsSent', workspace, req.body ?? null, 'write');
    } catch (err) {
      const shape = toErrorShape(err);
      return reply.code(httpStatusFor(shape.code)).send({ ok: false, error: shape });
    }
  });

  /**
   * GET /v1/sync?after=<cursor>&limit=<n> — the feed: NDJSON, a header line, one line per stored raw
   * payload / external event / outgoing message / erasure / conversions outbox row, each with its resume
   * cursor, then an end line.
   */
  app.get<{ Querystring: { after?: string; limit?: string } }>('/v1/sync', async (req, reply) => {
    const { token, workspace } = readToken(req.headers.authorization);
    // Never open (and so create) a workspace for a request that is not yet authenticated.
    if (!workspace || !knownWorkspace(host, workspace)) return unauthorized(reply);
    const limitText = req.query.limit;
    const limit = limitText === undefined || limitText === '' ? SYNC_PAGE_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > SYNC_MAX_LIMIT) {
      return reply.code(400).send({
        ok: false,
        error: {
          code: 'invalid_argument',
          message: `limit: a whole number from 1 to ${SYNC_MAX_LIMIT}`,
          field: 'limit',
        },
      });
    }
    let first: { page: FeedPage; remaining: number };
    try {
      await host.internal('collector.authorize', workspace, { token });
      first = (await host.internal(
        'collector.page',
        workspace,
        { after: req.query.after ?? '', limit: Math.min(CHUNK, limit), count: true },
        'read',
      )) as {
        page: FeedPage;
        remaining: number;
      };
    } catch (err) {
      const shape = toErrorShape(err);
      return reply.code(httpStatusFor(shape.code)).send({ ok: false, error: shape });
    }

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
    });
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    try {
      await write(res, lineOf({ type: 'header', remaining: first.remaining, limit }));
      let page = first.page;
      let sent = 0;
      for (;;) {
        for (const item of page.items) await write(res, itemLine(item));
        sent += page.items.length;
        if (!page.more || sent >= limit || closed) break;
        page = (
          (await host.internal(
            'collector.page',
            workspace,
            { after: page.cursor, limit: Math.min(CHUNK, limit - sent) },
            'read',
          )) as {
            page: FeedPage;
          }
        ).page;
      }
      await write(res, lineOf({ type: 'end', cursor: page.cursor, more: page.more }));
    } catch (err) {
      if (!closed)
        await write(res, lineOf({ type: 'error', message: toErrorShape(err).message })).catch(() => {});
    }
    res.end();
  });
}

const knownWorkspace = (host: HostApi, workspace: string) =>
  host.hasWorkspace ? host.hasWorkspace(workspace) : workspaceExists(host.dataDir, workspace);

function readToken(header: string | undefined): { token: string; workspace: string | null } {
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  return { token, workspace: tokenWorkspace(token) };
}

function unauthorized(reply: import('fastify').FastifyReply) {
  return reply
    .code(401)
    .send({ ok: false, error: { code: 'unauthorized', message: 'Missing, wrong or revoked read token' } });
}

const lineOf = (line: SyncLine) => `${JSON.stringify(line)}\n`;

function itemLine(item: FeedPage['items'][number]): string {
  if (item.type !== 'payload') return `${JSON.stringify(item)}\n`;
  const { json, ...meta } = item;
  // The stored JSON is embedded verbatim (no parse/serialise round trip) unless it spans lines.
  const body = /[\r\n]/.test(json) ? JSON.stringify(JSON.parse(json)) : json;
  return `${JSON.stringify(meta).slice(0, -1)},"body":${body}}\n`;
}

/** Writes with backpressure: a slow desktop must not make the collector buffer the whole feed. */
async function write(res: ServerResponse, text: string): Promise<void> {
  if (res.destroyed) throw new Error('client went away');
  if (res.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('client went away'));
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
