import { randomBytes, randomUUID } from 'node:crypto';
import type { CollectorToken } from '../../shared/contract/collector';
import type { Channel } from '../../shared/contract/dialog360';
import { ApiError } from '../../shared/contract/errors';
import type { ApiKeyInfo } from '../../shared/contract/ingest';
import { hashOf, newTokenText, type TokenRow, tokenWorkspace, toToken } from '../collector/tokens';
import {
  channelApiKeyName,
  channelSecretName,
  hashSecret,
  type KeyRow,
  newApiKey,
  toChannel,
  toKey,
} from '../ingest/channels';
import type { SecretStore } from '../secrets/secret-store';
import { type PgStore, sql } from './pool';

// What the CLI manages with --database: channels, external-events API keys and read tokens, stored as
// hashes in PostgreSQL so that any collector process needs only the database URL. Secrets a process uses
// itself (a channel's 360dialog API key, for the send proxy and `channels register-webhook`) go to the
// secret store of the machine running the command, as without PostgreSQL.

const CHANNEL_COLUMNS = 'phone_number_id, name, has_api_key, created_at';
type ChannelRow = { phone_number_id: string; name: string | null; has_api_key: boolean; created_at: number };
const channelOf = (r: ChannelRow): Channel => toChannel({ ...r, has_api_key: r.has_api_key ? 1 : 0 });

export async function addChannelPg(
  store: PgStore,
  secrets: SecretStore,
  workspace: string,
  args: { phoneNumberId: string; name?: string | undefined; apiKey?: string | undefined },
): Promise<Channel & { secret: string }> {
  const id = args.phoneNumberId;
  const secret = randomBytes(24).toString('base64url');
  // Secrets first: a channel row without its stored secret could never be registered with 360dialog.
  await secrets.set(channelSecretName(workspace, id), secret);
  if (args.apiKey) await secrets.set(channelApiKeyName(workspace, id), args.apiKey);
  const [row] = await store.query<ChannelRow>(
    sql(
      'admin_channel_add',
      `INSERT INTO channels (phone_number_id, workspace, name, secret_hash, has_api_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (phone_number_id) DO NOTHING RETURNING ${CHANNEL_COLUMNS}`,
    ),
    [id, workspace, args.name || null, hashSecret(secret), !!args.apiKey, Date.now()],
  );
  if (!row) {
    const [other] = await store.query<{ workspace: string }>(
      sql('admin_channel_ws', 'SELECT workspace FROM channels WHERE phone_number_id = $1'),
      [id],
    );
    throw new ApiError(
      'conflict',
      `The channel ${id} is already set up in the workspace "${other?.workspace ?? '?'}"`,
      'phoneNumberId',
    );
  }
  return { ...channelOf(row), secret };
}

export async function listChannelsPg(store: PgStore, workspace: string): Promise<Channel[]> {
  const rows = await store.query<ChannelRow>(
    sql(
      'admin_channel_list',
      `SELECT ${CHANNEL_COLUMNS} FROM channels WHERE workspace = $1 ORDER BY created_at, phone_number_id`,
    ),
    [workspace],
  );
  return rows.map(channelOf);
}

export async function removeChannelPg(
  store: PgStore,
  secrets: SecretStore,
  workspace: string,
  id: string,
): Promise<void> {
  const gone = await store.query(
    sql(
      'admin_channel_remove',
      'DELETE FROM channels WHERE workspace = $1 AND phone_number_id = $2 RETURNING 1',
    ),
    [workspace, id],
  );
  if (gone.length === 0) throw new ApiError('not_found', `No channel ${id} in this workspace`, 'id');
  await secrets.delete(channelSecretName(workspace, id));
  await secrets.delete(channelApiKeyName(workspace, id));
}

const KEY_COLUMNS = 'id, name, prefix, created_at, last_used_at, revoked_at';

export async function createApiKeyPg(
  store: PgStore,
  workspace: string,
  name: string | null,
): Promise<ApiKeyInfo & { key: string }> {
  const { key, id } = newApiKey();
  const [row] = await store.query<KeyRow>(
    sql(
      'admin_key_add',
      `INSERT INTO api_keys (id, workspace, name, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${KEY_COLUMNS}`,
    ),
    [id, workspace, name, hashSecret(key), key.slice(0, 7), Date.now()],
  );
  return { ...toKey(row!), key };
}

export async function listApiKeysPg(store: PgStore, workspace: string): Promise<ApiKeyInfo[]> {
  const rows = await store.query<KeyRow>(
    sql('admin_key_list', `SELECT ${KEY_COLUMNS} FROM api_keys WHERE workspace = $1 ORDER BY created_at, id`),
    [workspace],
  );
  return rows.map(toKey);
}

export async function revokeApiKeyPg(store: PgStore, workspace: string, id: string): Promise<void> {
  const rows = await store.query(
    sql(
      'admin_key_revoke',
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, $3) WHERE workspace = $1 AND id = $2 RETURNING 1`,
    ),
    [workspace, id, Date.now()],
  );
  if (rows.length === 0) throw new ApiError('not_found', `No API key ${id}`, 'id');
}

const TOKEN_COLUMNS = 'id, name, created_at, last_used_at, revoked_at';

export async function createTokenPg(
  store: PgStore,
  workspace: string,
  name: string | undefined,
): Promise<CollectorToken & { token: string }> {
  const token = newTokenText(workspace);
  const [row] = await store.query<TokenRow>(
    sql(
      'admin_token_add',
      `INSERT INTO read_tokens (id, workspace, name, hash, created_at) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${TOKEN_COLUMNS}`,
    ),
    [randomUUID(), workspace, name ?? null, hashOf(token), Date.now()],
  );
  return { ...toToken(row!), token };
}

export async function listTokensPg(store: PgStore, workspace: string): Promise<CollectorToken[]> {
  const rows = await store.query<TokenRow>(
    sql(
      'admin_token_list',
      `SELECT ${TOKEN_COLUMNS} FROM read_tokens WHERE workspace = $1 ORDER BY created_at, id`,
    ),
    [workspace],
  );
  return rows.map(toToken);
}

export async function revokeTokenPg(store: PgStore, workspace: string, id: string): Promise<void> {
  const rows = await store.query(
    sql(
      'admin_token_revoke',
      'UPDATE read_tokens SET revoked_at = coalesce(revoked_at, $3) WHERE workspace = $1 AND id = $2 RETURNING 1',
    ),
    [workspace, id, Date.now()],
  );
  if (rows.length === 0) throw new ApiError('not_found', `No collector token "${id}"`, 'id');
}

/** collector.authorize: a live read token of this workspace; marks it used (at most once a minute). */
export async function authorizeTokenPg(
  store: PgStore,
  workspace: string,
  token: unknown,
): Promise<{ ok: true }> {
  const text = typeof token === 'string' ? token : '';
  const [row] =
    tokenWorkspace(text) === workspace
      ? await store.query<{ id: string; last_used_at: number | null }>(
          sql(
            'token_live',
            'SELECT id, last_used_at FROM read_tokens WHERE hash = $1 AND workspace = $2 AND revoked_at IS NULL',
          ),
          [hashOf(text), workspace],
        )
      : [];
  if (!row) throw new ApiError('unauthorized', 'Missing, wrong or revoked read token');
  const now = Date.now();
  if (row.last_used_at === null || now - row.last_used_at > 60_000)
    await store.query(sql('token_touch', 'UPDATE read_tokens SET last_used_at = $2 WHERE id = $1'), [
      row.id,
      now,
    ]);
  return { ok: true };
}

/** A workspace setting (JSON), as dialog360.setSettings keeps it in SQLite; null removes it. */
export async function setSettingPg(
  store: PgStore,
  workspace: string,
  key: string,
  value: unknown,
): Promise<void> {
  if (value === null) {
    await store.query(sql('setting_delete', 'DELETE FROM settings WHERE workspace = $1 AND key = $2'), [
      workspace,
      key,
    ]);
    return;
  }
  await store.query(
    sql(
      'setting_set',
      `INSERT INTO settings (workspace, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (workspace, key) DO UPDATE SET value = EXCLUDED.value`,
    ),
    [workspace, key, JSON.stringify(value)],
  );
}
