import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import {
  channelApiKeyName,
  channelSecretName,
  getChannel,
  hashesEqual,
  hashSecret,
} from '../ingest/channels';
import type { CoreContext } from '../kernel/context';

// The ingestion area owns channels (table `channels`, src/core/ingest/channels.ts): the secret and the
// optional 360dialog API key are in the SecretStore. These helpers add the errors 360dialog calls need.

export type ChannelRow = NonNullable<ReturnType<typeof getChannel>>;

export function requireChannel(db: Db, channel: string): ChannelRow {
  const row = getChannel(db, channel);
  if (!row) {
    throw new ApiError(
      'not_found',
      `No channel "${channel}" in this workspace: add it first (insights channels add ${channel} --api-key …)`,
      'channel',
    );
  }
  return row;
}

/** The channel's 360dialog API key; a clear error when none was stored. */
export async function channelApiKey(
  ctx: CoreContext,
  channel: string,
  workspace = ctx.workspace,
): Promise<string> {
  const key = await ctx.secrets.get(channelApiKeyName(workspace, channel));
  if (!key) {
    throw new ApiError(
      'invalid_argument',
      `Channel "${channel}" has no 360dialog API key: add it in Settings or with insights channels add ${channel} --api-key …`,
      'apiKey',
    );
  }
  return key;
}

export async function channelSecret(ctx: CoreContext, channel: string): Promise<string> {
  const secret = await ctx.secrets.get(channelSecretName(ctx.workspace, channel));
  if (!secret) {
    throw new ApiError(
      'not_found',
      `The secret of channel "${channel}" is missing from the secret store`,
      'channel',
    );
  }
  return secret;
}

/** `Authorization: Bearer <secret>` against the stored sha256, in constant time. */
export function bearerMatchesChannel(row: ChannelRow, authorization: string | undefined): boolean {
  if (!authorization?.startsWith('Bearer ')) return false;
  return hashesEqual(hashSecret(authorization.slice(7)), row.secret_hash);
}
