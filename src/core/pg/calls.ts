import { contract, type MethodName } from '../../shared/contract';
import { ApiError } from '../../shared/contract/errors';
import { BASE_URL_SETTING, baseUrlFrom } from '../dialog360/client';
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
import type { PgStore } from './pool';

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
  'dialog360.setSettings': async (s, _secrets, ws, a: { baseUrl: string | null }) => {
    const baseUrl = a.baseUrl === null ? null : a.baseUrl.replace(/\/+$/, '');
    await setSettingPg(s, ws, BASE_URL_SETTING, baseUrl);
    return { baseUrl, effectiveBaseUrl: baseUrlFrom(baseUrl) };
  },
};

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
