import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import type { CoreContext } from '../host/context';
import { secretName } from '../secrets/secret-store';

// Read access to the ingestion area's `channels` table (migration 0003) and the channel secrets it
// keeps in the SecretStore: `channel/<id>/secret` and the optional `channel/<id>/api-key`.

export interface ChannelRow {
  phone_number_id: string;
  name: string | null;
  secret_hash: Buffer;
  has_api_key: number;
}

export function findChannel(db: Db, channel: string): ChannelRow | undefined {
  return db
    .prepare('SELECT phone_number_id, name, secret_hash, has_api_key FROM channels WHERE phone_number_id = ?')
    .get(channel) as ChannelRow | undefined;
}

export function requireChannel(db: Db, channel: string): ChannelRow {
  const row = findChannel(db, channel);
  if (!row) {
    throw new ApiError(
      'not_found',
      `No channel "${channel}" in this workspace: add it first (insights channels add ${channel} --api-key …)`,
      'channel',
    );
  }
  return row;
}

/** The channel's 360dialog API key from the SecretStore; a clear error when none was stored. */
export async function channelApiKey(ctx: CoreContext, channel: string): Promise<string> {
  const key = await ctx.secrets.get(secretName(ctx.workspace, `channel/${channel}/api-key`));
  if (!key) {
    throw new ApiError(
      'invalid_argument',
      `Channel "${channel}" has no 360dialog API key: set one in Settings or with insights channels add ${channel} --api-key …`,
      'apiKey',
    );
  }
  return key;
}

export async function channelSecret(ctx: CoreContext, channel: string): Promise<string> {
  const secret = await ctx.secrets.get(secretName(ctx.workspace, `channel/${channel}/secret`));
  if (!secret)
    throw new ApiError(
      'not_found',
      `The secret of channel "${channel}" is missing from the secret store`,
      'channel',
    );
  return secret;
}

/** Checks `Authorization: Bearer <secret>` against the stored sha256, in constant time. */
export function bearerMatchesChannel(row: ChannelRow, authorization: string | undefined): boolean {
  if (!authorization?.startsWith('Bearer ')) return false;
  const given = createHash('sha256').update(authorization.slice(7)).digest();
  return given.length === row.secret_hash.length && timingSafeEqual(given, row.secret_hash);
}
