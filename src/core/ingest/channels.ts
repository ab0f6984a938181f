import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Channel } from '../../shared/contract/dialog360';
import { ApiError } from '../../shared/contract/errors';
import type { ApiKeyInfo } from '../../shared/contract/ingest';
import type { Db } from '../db/open';
import type { CoreContext } from '../kernel/context';
import { secretName } from '../secrets/secret-store';
import { listWorkspaces } from '../workspace/workspaces';

// Webhook channels (one per 360dialog phone number) and the API keys of the external-events endpoint.
// Only sha256 hashes are in SQLite; the channel secret and the optional 360dialog API key also go to the
// SecretStore so "Register webhook" (dialog360) can send the secret to 360dialog as a header.

export const webhookPath = (id: string) => `/webhooks/360dialog/${encodeURIComponent(id)}`;
export const channelSecretName = (workspace: string, id: string) =>
  secretName(workspace, `channel/${id}/secret`);
export const channelApiKeyName = (workspace: string, id: string) =>
  secretName(workspace, `channel/${id}/api-key`);

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function hashesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

interface ChannelRow {
  phone_number_id: string;
  name: string | null;
  has_api_key: number;
  created_at: number;
  secret_hash: Buffer;
}

const byId = new WeakMap<Db, Statement<[string], ChannelRow>>();

export function getChannel(db: Db, id: string): ChannelRow | undefined {
  let stmt = byId.get(db);
  if (!stmt) {
    stmt = db.prepare<[string], ChannelRow>('SELECT * FROM channels WHERE phone_number_id = ?');
    byId.set(db, stmt);
  }
  return stmt.get(id);
}

export function toChannel(
  r: Pick<ChannelRow, 'phone_number_id' | 'name' | 'has_api_key' | 'created_at'>,
): Channel {
  return {
    id: r.phone_number_id,
    name: r.name,
    webhookPath: webhookPath(r.phone_number_id),
    hasApiKey: r.has_api_key === 1,
    createdAt: iso(r.created_at)!,
  };
}

export function listChannels(db: Db): Channel[] {
  return (db.prepare('SELECT * FROM channels ORDER BY created_at').all() as ChannelRow[]).map(toChannel);
}

/** Which workspace of the data folder holds a channel (a data folder has several; a channel is in one). */
export function findChannelWorkspace(ctx: CoreContext, id: string): string | null {
  return findChannel(ctx, id)?.workspace ?? null;
}

/** The workspace holding a channel, and the sha256 of its secret (never the secret itself). */
export function findChannel(ctx: CoreContext, id: string): { workspace: string; secretHash: Buffer } | null {
  for (const ws of listWorkspaces(ctx.dataDir)) {
    try {
      const row = ctx
        .dbFor(ws.name)
        .prepare('SELECT secret_hash FROM channels WHERE phone_number_id = ?')
        .get(id) as { secret_hash: Buffer } | undefined;
      if (row) return { workspace: ws.name, secretHash: row.secret_hash };
    } catch {
      // a workspace this version cannot open holds nothing we can receive for
    }
  }
  return null;
}

export function findKeyWorkspace(ctx: CoreContext, keyHash: Buffer): string | null {
  for (const ws of listWorkspaces(ctx.dataDir)) {
    try {
      const row = ctx
        .dbFor(ws.name)
        .prepare('SELECT 1 FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL')
        .get(keyHash);
      if (row) return ws.name;
    } catch {
      // see findChannelWorkspace
    }
  }
  return null;
}

export async function addChannel(
  ctx: CoreContext,
  args: { phoneNumberId: string; name?: string | undefined; apiKey?: string | undefined },
): Promise<Channel & { secret: string }> {
  const id = args.phoneNumberId;
  const elsewhere = findChannelWorkspace(ctx, id);
  if (elsewhere) {
    throw new ApiError(
      'conflict',
      `The channel ${id} is already set up in the workspace "${elsewhere}"`,
      'phoneNumberId',
    );
  }
  const secret = randomBytes(24).toString('base64url');
  // Secrets first: a channel row without its stored secret could never be registered with 360dialog.
  await ctx.secrets.set(channelSecretName(ctx.workspace, id), secret);
  if (args.apiKey) await ctx.secrets.set(channelApiKeyName(ctx.workspace, id), args.apiKey);
  const db = ctx.db();
  db.prepare(
    'INSERT INTO channels (phone_number_id, name, secret_hash, has_api_key, created_at) VALUES (?, ?, ?, ?, ?)',
  ).run(id, args.name || null, hashSecret(secret), args.apiKey ? 1 : 0, Date.now());
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'settings' });
  return { ...toChannel(getChannel(db, id)!), secret };
}

export async function removeChannel(ctx: CoreContext, id: string): Promise<void> {
  const r = ctx.db().prepare('DELETE FROM channels WHERE phone_number_id = ?').run(id);
  if (r.changes === 0) throw new ApiError('not_found', `No channel ${id} in this workspace`, 'id');
  await ctx.secrets.delete(channelSecretName(ctx.workspace, id));
  await ctx.secrets.delete(channelApiKeyName(ctx.workspace, id));
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'settings' });
}

export interface KeyRow {
  id: string;
  name: string | null;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export const toKey = (r: KeyRow): ApiKeyInfo => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  createdAt: iso(r.created_at)!,
  lastUsedAt: iso(r.last_used_at),
  revokedAt: iso(r.revoked_at),
});

/** A new external-events key (shown once) and its id; stored as sha256 and the key's first 7 characters. */
export const newApiKey = () => ({
  key: `ik_${randomBytes(24).toString('base64url')}`,
  id: `key_${randomBytes(6).toString('hex')}`,
});

export function createApiKey(db: Db, name: string | null): ApiKeyInfo & { key: string } {
  const { key, id } = newApiKey();
  db.prepare('INSERT INTO api_keys (id, name, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)').run(
    id,
    name,
    hashSecret(key),
    key.slice(0, 7),
    Date.now(),
  );
  const row = db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as KeyRow;
  return { ...toKey(row), key };
}

export function listApiKeys(db: Db): ApiKeyInfo[] {
  return (db.prepare('SELECT * FROM api_keys ORDER BY created_at').all() as KeyRow[]).map(toKey);
}

export function revokeApiKey(db: Db, id: string): void {
  const r = db
    .prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
    .run(Date.now(), id);
  if (r.changes === 0) {
    const exists = db.prepare('SELECT 1 FROM api_keys WHERE id = ?').get(id);
    if (!exists) throw new ApiError('not_found', `No API key ${id}`, 'id');
  }
}

/** The key's id when it is valid in this workspace; marks it used (at most once a minute). */
export function authenticateKey(db: Db, keyHash: Buffer): string | null {
  const row = db
    .prepare('SELECT id, last_used_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL')
    .get(keyHash) as { id: string; last_used_at: number | null } | undefined;
  if (!row) return null;
  const now = Date.now();
  if (row.last_used_at === null || now - row.last_used_at > 60_000) {
    db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now, row.id);
  }
  return row.id;
}
