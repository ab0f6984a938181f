import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, httpStatusFor, toErrorShape } from '../../shared/contract/errors';
import { isPhoneNumberId } from '../../shared/contract/phone-number-id';
import type { HostApi } from '../kernel/host-api';
import { DEFAULT_WORKSPACE } from '../workspace/workspaces';
import { hashesEqual, hashSecret } from './channels';
import { parseJsonText } from './json-body';
import { ownBytes, preparePayload } from './prepare';
import type { WebhookOutcome } from './receiver';

// HTTP side of ingestion:
//   POST /webhooks/360dialog/:channel          360dialog webhooks (Cloud API or On-Premise), Bearer = channel secret
//   POST /clients/:clientId/external-events    360dialog-compatible external events, api_key in the body
// Bodies are taken as raw bytes (a quarantined body must be kept exactly as delivered) and read only
// after the secret matched. A data folder holds several workspaces, so the channel (or key) names the workspace.

const POSITIVE_TTL_MS = 30_000;

interface Receiver {
  workspace: string;
  /** hex sha256 of the channel's secret (channels only). */
  secretHash?: string;
  /** Looked up just now rather than taken from the cache. */
  fresh?: boolean;
}

/** channel / key-hash → workspace, refreshed on a miss, after a TTL, or when settings change in this process. */
class ReceiverDirectory {
  private readonly entries = new Map<string, Receiver & { at: number }>();
  constructor(private readonly host: HostApi) {
    host.onEvent((e) => {
      if (e.type === 'data-changed' && (e.what === 'settings' || e.what === 'all')) this.entries.clear();
    });
  }

  async find(key: { channel: string } | { keyHash: string }, fresh = false): Promise<Receiver | null> {
    const k = 'channel' in key ? `c:${key.channel}` : `k:${key.keyHash}`;
    const hit = this.entries.get(k);
    if (!fresh && hit && Date.now() - hit.at < POSITIVE_TTL_MS) return { ...hit, fresh: false };
    const r = (await this.host.internal('ingest.lookup', DEFAULT_WORKSPACE, key, 'read')) as {
      workspace: string | null;
      secretHash?: string;
    };
    if (!r.workspace) {
      this.entries.delete(k);
      return null;
    }
    const entry = { workspace: r.workspace, secretHash: r.secretHash, at: Date.now() };
    this.entries.set(k, entry);
    return { ...entry, fresh: true };
  }

  forget(key: { channel: string } | { keyHash: string }): void {
    this.entries.delete('channel' in key ? `c:${key.channel}` : `k:${key.keyHash}`);
  }
}

/**
 * Compared when there is no channel to compare with, so that an unknown channel costs the same hash
 * comparison as a known one with a wrong secret (no secret hashes to this).
 */
const NO_CHANNEL_HASH = '0'.repeat(64);

const sameHash = (a: string, b: string | undefined) =>
  hashesEqual(Buffer.from(a, 'hex'), Buffer.from(b ?? NO_CHANNEL_HASH, 'hex')) && b !== undefined;

/** Unknown channel and wrong secret answer alike, so channel ids cannot be enumerated. */
const REFUSED = 'Unknown channel or wrong channel secret';

function fail(reply: FastifyReply, status: number, code: string, message: string, field?: string) {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .send({ ok: false, error: field ? { code, message, field } : { code, message } });
}

function bodyText(req: FastifyRequest): string {
  const b = req.body;
  return Buffer.isBuffer(b) ? b.toString('utf8') : typeof b === 'string' ? b : '';
}

export async function registerIngestRoutes(app: FastifyInstance, host: HostApi): Promise<void> {
  const directory = new ReceiverDirectory(host);
  await app.register(async (scope) => {
    // Raw bytes for every content type in this scope only (the /api routes keep fastify's JSON parser).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    scope.post<{ Params: { channel: string } }>('/webhooks/360dialog/:channel', async (req, reply) => {
      const channel = req.params.channel;
      const receivedAt = Date.now();
      const auth = req.headers.authorization;
      if (!auth?.startsWith('Bearer ') || auth.length <= 7) {
        return fail(reply, 401, 'unauthorized', 'Missing "Authorization: Bearer <channel secret>" header');
      }
      const secretHash = hashSecret(auth.slice(7).trim()).toString('hex');
      let found: Receiver | null = null;
      try {
        // A path that is no phone number id is no channel: no lookup, the same answer as an unknown one.
        if (isPhoneNumberId(channel)) found = await directory.find({ channel });
        // A secret changed since it was cached is looked up again before the delivery is refused. Unknown
        // and known channels alike: one lookup and two hash comparisons before a refusal.
        if (!sameHash(secretHash, found?.secretHash) && found?.fresh === false)
          found = await directory.find({ channel }, true);
      } catch (err) {
        return sendError(reply, err);
      }
      // Nothing of an unauthenticated body is read. The writer checks the secret again in its transaction.
      if (!sameHash(secretHash, found?.secretHash) || !found)
        return fail(reply, 401, 'unauthorized', REFUSED);
      const workspace = found.workspace;
      // Parsing, validating, hashing and deflating are pure: done here, on the HTTP thread, they keep
      // the single writer for what only it can do. A body that fails goes as delivered, for the
      // writer to quarantine it.
      const text = bodyText(req);
      const parsed = parseJsonText(text);
      const prepared = parsed.ok
        ? preparePayload({ body: parsed.value, origin: 'webhook', channel, receivedAt })
        : null;
      try {
        const out = (await host.internal('ingest.webhook', workspace, {
          channel,
          secretHash,
          ...(prepared?.ok ? { prepared: ownBytes(prepared.payload) } : { body: text }),
          contentType: req.headers['content-type'] ?? null,
          receivedAt,
        })) as WebhookOutcome;
        if (out.status === 200)
          return reply
            .code(200)
            .header('cache-control', 'no-store')
            .send(out.message ? { ok: true, warning: out.message } : { ok: true });
        if (out.status === 401) {
          directory.forget({ channel });
          return fail(reply, 401, 'unauthorized', REFUSED);
        }
        return fail(reply, out.status, 'bad_request', out.message ?? 'bad_request');
      } catch (err) {
        return sendError(reply, err);
      }
    });

    scope.post<{ Params: { clientId: string } }>('/clients/:clientId/external-events', async (req, reply) => {
      const receivedAt = Date.now();
      const parsed = parseJsonText(bodyText(req));
      if (!parsed.ok) return fail(reply, 400, 'invalid_argument', parsed.error);
      const body = parsed.value as Record<string, unknown> | null;
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        return fail(reply, 400, 'invalid_argument', 'expected {"api_key": …, "external_event": {…}}');
      }
      if (typeof body.api_key !== 'string' || body.api_key.length === 0) {
        return fail(reply, 401, 'unauthorized', 'Missing api_key', 'api_key');
      }
      const keyHash = hashSecret(body.api_key).toString('hex');
      try {
        const workspace = (await directory.find({ keyHash }))?.workspace;
        if (!workspace) return fail(reply, 401, 'unauthorized', 'Unknown or revoked api_key', 'api_key');
        const header = req.headers['idempotency-key'];
        const out = (await host.internal('ingest.externalEvent', workspace, {
          keyHash,
          clientId: req.params.clientId,
          event: body.external_event,
          idempotencyKey: typeof header === 'string' && header.length > 0 ? header.slice(0, 200) : null,
          receivedAt,
        })) as { external_event_id: string };
        return reply
          .code(200)
          .header('cache-control', 'no-store')
          .send({ external_event_id: out.external_event_id });
      } catch (err) {
        if (err instanceof ApiError && err.code === 'unauthorized') directory.forget({ keyHash });
        return sendError(reply, err);
      }
    });
  });
}

function sendError(reply: FastifyReply, err: unknown) {
  const shape = toErrorShape(err);
  return fail(reply, httpStatusFor(shape.code), shape.code, shape.message, shape.field);
}
