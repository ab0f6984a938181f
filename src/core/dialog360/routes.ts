import type { FastifyInstance, FastifyReply } from 'fastify';
import { httpStatusFor } from '../../shared/contract/errors';
import type { CoreHost } from '../host/host';
import { toErrorShape } from '../host/protocol';
import { DEFAULT_WORKSPACE } from '../workspace/workspaces';
import { Dialog360Client } from './client';
import type { SendTarget } from './send-proxy';

/**
 * POST /messages/:channel — the send proxy. Authenticated with the channel secret (Bearer), forwards
 * the body unchanged to 360dialog POST /messages with the channel's D360-API-KEY, answers with
 * 360dialog's status and body as they are, and records accepted messages in outgoing_messages.
 * The forward happens here, not on the write lane, so a slow 360dialog never delays webhook acks.
 */
export function registerSendProxyRoute(app: FastifyInstance, host: CoreHost): void {
  app.post<{ Params: { channel: string } }>('/messages/:channel', async (req, reply) => {
    const channel = req.params.channel;
    let target: SendTarget;
    try {
      // The channel names its workspace (as for the webhook receiver); the lookup runs on the read lane.
      target = (await host.internal(
        'dialog360.authorizeSend',
        DEFAULT_WORKSPACE,
        { channel, authorization: req.headers.authorization },
        'read',
      )) as SendTarget;
    } catch (err) {
      return sendError(reply, err);
    }
    if (req.body === undefined || req.body === null || typeof req.body !== 'object') {
      return reply.code(400).send({
        ok: false,
        error: { code: 'bad_request', message: 'The body must be a JSON message object' },
      });
    }
    const client = new Dialog360Client({ baseUrl: target.baseUrl, apiKey: target.apiKey, timeoutMs: 20_000 });
    let upstream: Awaited<ReturnType<Dialog360Client['request']>>;
    try {
      upstream = await client.request('POST', '/messages', JSON.stringify(req.body));
    } catch (err) {
      return sendError(reply, err);
    }
    if (upstream.status >= 200 && upstream.status < 300) {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(upstream.text);
      } catch {
        // 360dialog's answer is passed on as is even when it is not JSON; nothing to record then
      }
      if (parsed !== null) {
        const record = {
          channel,
          request: req.body,
          response: parsed,
          sentAt: Math.floor(Date.now() / 1000),
        };
        try {
          const r = (await host.internal('dialog360.recordOutgoing', target.workspace, record)) as {
            templateUnknown: boolean;
          };
          if (r.templateUnknown) refreshTemplatesThenRecord(host, target.workspace, record);
        } catch (err) {
          // The message was sent: the caller must still learn its id, so a failed record is logged, not returned.
          req.log.error({ err: toErrorShape(err) }, 'send proxy: recording the outgoing message failed');
        }
      }
    }
    reply.code(upstream.status);
    if (upstream.contentType) reply.header('content-type', upstream.contentType);
    return reply.send(upstream.text);
  });
}

/** Template syncs started by the proxy, per workspace and channel: a burst of sends starts one. */
const templateSyncs = new Map<string, { started: number; done: Promise<unknown> }>();
/** A template still unknown after a fetch (not listed yet) must not make every send fetch again. */
const TEMPLATE_REFETCH_MS = 10 * 60_000;

/**
 * A template the workspace has not fetched yet has no button titles: fetch the channel's templates in
 * the background (a templates.sync job), then record the message again so its buttons get their titles.
 */
function refreshTemplatesThenRecord(host: CoreHost, workspace: string, record: { channel: string }): void {
  const key = `${host.dataDir}\0${workspace}\0${record.channel}`;
  let sync = templateSyncs.get(key);
  if (!sync || Date.now() - sync.started > TEMPLATE_REFETCH_MS) {
    sync = { started: Date.now(), done: host.call('templates.sync', workspace, { channel: record.channel }) };
    templateSyncs.set(key, sync);
  }
  sync.done
    .then(() => host.internal('dialog360.recordOutgoing', workspace, record))
    // A failed fetch shows in the job list; the message stays recorded with its id and template name.
    .catch(() => {});
}

function sendError(reply: FastifyReply, err: unknown) {
  const shape = toErrorShape(err);
  return reply.code(httpStatusFor(shape.code)).send({ ok: false, error: shape });
}
