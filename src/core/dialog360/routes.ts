import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { httpStatusFor, toErrorShape } from '../../shared/contract/errors';
import { parseJsonText } from '../ingest/json-body';
import type { HostApi } from '../kernel/host-api';
import { DEFAULT_WORKSPACE } from '../workspace/workspaces';
import { Dialog360Client } from './client';
import type { SendTarget } from './send-proxy';

/**
 * POST /messages/:channel — the send proxy. Authenticated with the channel secret (Bearer), forwards
 * the body unchanged to 360dialog POST /messages with the channel's D360-API-KEY, answers with
 * 360dialog's status and body as they are, and records accepted messages in outgoing_messages.
 * The forward happens here, not on the write lane, so a slow 360dialog never delays webhook acks.
 */
export async function registerSendProxyRoute(app: FastifyInstance, host: HostApi): Promise<void> {
  await app.register(async (scope) => {
    // The body is read as text and parsed here with bounded nesting (json-body.ts): what is forwarded
    // must survive being walked and re-serialised.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.post<{ Params: { channel: string } }>('/messages/:channel', (req, reply) =>
      sendProxy(host, req, reply),
    );
  });
}

async function sendProxy(
  host: HostApi,
  req: FastifyRequest<{ Params: { channel: string } }>,
  reply: FastifyReply,
) {
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
  const message = sendBody(typeof req.body === 'string' ? req.body : '');
  if (!message.ok) {
    return reply.code(400).send({ ok: false, error: { code: 'bad_request', message: message.error } });
  }
  const client = new Dialog360Client({ baseUrl: target.baseUrl, apiKey: target.apiKey, timeoutMs: 20_000 });
  let upstream: Awaited<ReturnType<Dialog360Client['request']>>;
  try {
    upstream = await client.request('POST', '/messages', JSON.stringify(message.value));
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
        request: message.value,
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
}

/**
 * The shape 360dialog's POST /messages takes (Meta's message object, whatsapp-360dialog.md names
 * `messaging_product`, `to`, `type`; https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages):
 * one JSON object with a recipient. Anything else is refused here rather than forwarded.
 */
export function sendBody(
  text: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return parsed;
  const v = parsed.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    return { ok: false, error: 'The body must be one JSON message object (not a list)' };
  const m = v as Record<string, unknown>;
  if (m.messaging_product !== undefined && m.messaging_product !== 'whatsapp')
    return { ok: false, error: 'messaging_product: expected "whatsapp"' };
  if (
    !(
      (typeof m.to === 'string' && m.to.trim() !== '') ||
      (typeof m.to === 'number' && Number.isSafeInteger(m.to))
    )
  )
    return { ok: false, error: 'to: the recipient (a phone number or user id) is missing' };
  if (m.type !== undefined && typeof m.type !== 'string')
    return { ok: false, error: 'type: expected a string' };
  return { ok: true, value: m };
}

/** Template syncs started by the proxy, per workspace and channel: a burst of sends starts one. */
const templateSyncs = new Map<string, { started: number; done: Promise<unknown> }>();
/** A template still unknown after a fetch (not listed yet) must not make every send fetch again. */
const TEMPLATE_REFETCH_MS = 10 * 60_000;

/**
 * A template the workspace has not fetched yet has no button titles: fetch the channel's templates in
 * the background (a templates.sync job), then record the message again so its buttons get their titles.
 */
function refreshTemplatesThenRecord(host: HostApi, workspace: string, record: { channel: string }): void {
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
