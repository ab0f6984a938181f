import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { CollectorToken } from '../../shared/contract/collector';
import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';

// Read tokens of GET /v1/sync. The token names its workspace (`ict1.<workspace>.<secret>`, workspace
// names have no dots) so one `insights serve` can serve several workspaces; only sha256 is stored.

const PREFIX = 'ict1';

export const hashOf = (token: string) => createHash('sha256').update(token).digest();

/** A new read token's text: it names its workspace, the rest is random. */
export const newTokenText = (workspace: string) =>
  `${PREFIX}.${workspace}.${randomBytes(32).toString('base64url')}`;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function createToken(
  db: Db,
  workspace: string,
  name: string | undefined,
  now = Date.now(),
): CollectorToken & { token: string } {
  const id = randomUUID();
  const token = newTokenText(workspace);
  db.prepare('INSERT INTO collector_tokens (id, name, hash, created_at) VALUES (?, ?, ?, ?)').run(
    id,
    name ?? null,
    hashOf(token),
    now,
  );
  return { id, name: name ?? null, createdAt: iso(now)!, lastUsedAt: null, revokedAt: null, token };
}

export interface TokenRow {
  id: string;
  name: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export const toToken = (r: TokenRow): CollectorToken => ({
  id: r.id,
  name: r.name,
  createdAt: iso(r.created_at)!,
  lastUsedAt: iso(r.last_used_at),
  revokedAt: iso(r.revoked_at),
});

export function listTokens(db: Db): CollectorToken[] {
  const rows = db
    .prepare(
      'SELECT id, name, created_at, last_used_at, revoked_at FROM collector_tokens ORDER BY created_at, id',
    )
    .all() as TokenRow[];
  return rows.map(toToken);
}

export function revokeToken(db: Db, id: string, now = Date.now()): void {
  const r = db
    .prepare('UPDATE collector_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?')
    .run(now, id);
  if (r.changes === 0) throw new ApiError('not_found', `No collector token "${id}"`, 'id');
}

/** The workspace a token belongs to, from its text; null when it is not one of ours. */
export function tokenWorkspace(token: string): string | null {
  const parts = token.split('.');
  return parts.length === 3 && parts[0] === PREFIX && parts[1] ? parts[1] : null;
}

/** The id of a live token with this text, or null. Lookup by hash: the token is never stored. */
export function findLiveToken(db: Db, token: string): string | null {
  const row = db
    .prepare('SELECT id FROM collector_tokens WHERE hash = ? AND revoked_at IS NULL')
    .get(hashOf(token)) as { id: string } | undefined;
  return row?.id ?? null;
}

export function touchToken(db: Db, id: string, now = Date.now()): void {
  db.prepare('UPDATE collector_tokens SET last_used_at = ? WHERE id = ?').run(now, id);
}
