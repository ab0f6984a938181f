import { contract, type MethodName } from '../../shared/contract';
import { ApiError } from '../../shared/contract/errors';
import { BASE_URL_SETTING, baseUrlFrom, Dialog360Client } from '../dialog360/client';
import type { SendTarget } from '../dialog360/send-proxy';
import { validateWebhookUrl, webhookStatusOf, webhookUrlFor } from '../dialog360/webhook-url';
import { channelSecretName } from '../ingest/channels';
import type { SecretStore } from '../secrets/secret-store';
import {
  addChannelPg,
  createApiKeyPg,
  createTokenPg,
  listApiKeysPg,
  listChannelsPg,
  listTokensPg,
  removeChannelPg,
  revokeApiKeyPg,
  revokeTokenPg,
  setSettingPg,
} from './admin';
import { eraseContactPg } from './erase';
import type { PgStore } from './pool';
import { deleteQuarantinePg, listQuarantinePg, retryQuarantinePg, showQuarantinePg } from './quarantine';
import { retentionDays, setRetentionPg } from './retention';
import { listTemplatesPg, sendTarget, templatesSyncPg } from './send-proxy';

// The contract methods that manage what a PostgreSQL collector serves (`--database` on the CLI): the same
// names, arguments (validated by the contract) and results as on SQLite, stored in PostgreSQL.

type Call = (store: PgStore, secrets: SecretStore, workspace: string, args: never) => Promise<unknown>;

const OK = { ok: true as const };

const CALLS: Partial<Record<MethodName, Call>> = {
  'channels.add': (s, secrets, ws, a: { phoneNumberId: string; name?: string; apiKey?: string }) =>
    addChannelPg(s, secrets, ws, a),
  'channels.list': (s, _secrets, ws) => listChannelsPg(s, ws),
  'channels.remove': async (s, secrets, ws, a: { id: string }) => {
    await removeChannelPg(s, secrets, ws, a.id);
    return OK;
  },
  'keys.create': (s, _secrets, ws, a: { name?: string }) => createApiKeyPg(s, ws, a.name || null),
  'keys.list': (s, _secrets, ws) => listApiKeysPg(s, ws),
  'keys.revoke': async (s, _secrets, ws, a: { id: string }) => {
    await revokeApiKeyPg(s, ws, a.id);
    return OK;
  },
  'collector.tokens.create': (s, _secrets, ws, a: { name?: string }) => createTokenPg(s, ws, a.name),
  'collector.tokens.list': (s, _secrets, ws) => listTokensPg(s, ws),
  'collector.tokens.revoke': async (s, _secrets, ws, a: { id: string }) => {
    await revokeTokenPg(s, ws, a.id);
    return OK;
  },
  // 360dialog calls for a channel kept in PostgreSQL, with this machine's copy of its secrets.
  'channels.checkKey': async (s, secrets, ws, a: { channel: string; apiKey?: string }) => {
    const t = await channelTarget(s, secrets, ws, a.channel, a.apiKey);
    const r = await clientOf(t).checkKey();
    return { channel: a.channel, valid: r.valid, status: r.status, baseUrl: t.baseUrl };
  },
  'channels.registerWebhook': async (s, secrets, ws, a: { channel: string; url: string }) => {
    const base = validateWebhookUrl(a.url);
    const client = clientOf(await channelTarget(s, secrets, ws, a.channel));
    const secret = await secrets.get(channelSecretName(ws, a.channel));
    if (!secret)
      throw new ApiError(
        'not_found',
        `The secret of channel "${a.channel}" is not in this machine's secret store: run this where "channels add" ran`,
        'channel',
      );
    const previous = await client.getWebhook();
    const url = webhookUrlFor(base, a.channel);
    // 360dialog sends these headers with every delivery; the receiver checks the Bearer secret.
    await client.setWebhook(url, { Authorization: `Bearer ${secret}` });
    return { channel: a.channel, url, previousUrl: previous.url };
  },
  'channels.webhookStatus': async (s, secrets, ws, a: { channel: string }) =>
    webhookStatusOf(a.channel, await clientOf(await channelTarget(s, secrets, ws, a.channel)).getWebhook()),
  'templates.sync': (s, secrets, ws, a: { channel: string }) => templatesSyncPg(s, secrets, ws, a.channel),
  'templates.list': (s, _secrets, ws, a: { channel?: string }) => listTemplatesPg(s, ws, a.channel),
  'contacts.erase': (s, _secrets, ws, a: { phone: string }) => eraseContactPg(s, ws, a.phone),
  'quarantine.list': (s, _secrets, ws, a: { limit?: number }) => listQuarantinePg(s, ws, a.limit),
  'quarantine.show': (s, _secrets, ws, a: { id: number }) => showQuarantinePg(s, ws, a.id),
  'quarantine.retry': (s, _secrets, ws, a: { id: number } | { all: true }) => retryQuarantinePg(s, ws, a),
  'quarantine.delete': async (s, _secrets, ws, a: { id: number } | { all: true }) => ({
    deleted: await deleteQuarantinePg(s, ws, a),
  }),
  'ingest.settings.get': async (s, _secrets, ws) => ({ rawRetentionDays: await retentionDays(s.pool, ws) }),
  'ingest.settings.set': (s, _secrets, ws, a: { rawRetentionDays: number | null }) =>
    setRetentionPg(s, ws, a.rawRetentionDays),
  'dialog360.setSettings': async (s, _secrets, ws, a: { baseUrl: string | null }) => {
    const baseUrl = a.baseUrl === null ? null : a.baseUrl.replace(/\/+$/, '');
    await setSettingPg(s, ws, BASE_URL_SETTING, baseUrl);
    return { baseUrl, effectiveBaseUrl: baseUrlFrom(baseUrl) };
  },
};

/** The channel (which must be in this workspace) and what a 360dialog call for it needs. */
async function channelTarget(
  store: PgStore,
  secrets: SecretStore,
  workspace: string,
  channel: string,
  apiKey?: string,
): Promise<SendTarget> {
  if (!(await listChannelsPg(store, workspace)).some((c) => c.id === channel))
    throw new ApiError(
      'not_found',
      `No channel "${channel}" in this workspace: add it first (insights channels add ${channel} --api-key … --database …)`,
      'channel',
    );
  const target = await sendTarget(store, secrets, workspace, channel, apiKey);
  return target;
}

const clientOf = (t: SendTarget) =>
  new Dialog360Client({ baseUrl: t.baseUrl, apiKey: t.apiKey, timeoutMs: 15_000 });

/** Whether `method` is answered from PostgreSQL when the CLI is given --database. */
export const isPgMethod = (method: string): boolean => method in CALLS;

export async function callPg(
  store: PgStore,
  secrets: SecretStore,
  method: MethodName,
  workspace: string,
  args: unknown,
): Promise<unknown> {
  const call = CALLS[method];
  if (!call) throw new ApiError('not_found', `${method} is not available with --database`);
  const parsed = contract[method].args.safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(
      'invalid_argument',
      issue?.message ?? 'The request is not valid',
      issue?.path.join('.'),
    );
  }
  return call(store, secrets, workspace, parsed.data as never);
}
