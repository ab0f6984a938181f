import type { MetaConnectionMethod, MetaStatus } from '../../shared/contract/meta';
import type { Db } from '../db/open';
import type { GraphClient } from './graph-client';
import { GraphError } from './graph-error';

// Token check per https://developers.facebook.com/docs/graph-api/reference/debug_token:
// GET /me?fields=id,name,permissions, plus debug_token on the token itself for type and expiry.

/** Permissions the sync cannot work without. business_management only widens the account list. */
export const REQUIRED_PERMISSIONS = ['ads_read'] as const;

export interface TokenInfo {
  userId: string;
  userName: string | null;
  appId: string | null;
  tokenType: string | null;
  expiresAt: number | null;
  dataAccessExpiresAt: number | null;
  permissions: string[];
}

interface MeAnswer {
  id: string;
  name?: string;
  permissions?: { data?: { permission: string; status: string }[] };
}
interface DebugAnswer {
  data?: {
    app_id?: string;
    type?: string;
    expires_at?: number;
    data_access_expires_at?: number;
    is_valid?: boolean;
    scopes?: string[];
    user_id?: string;
  };
}

const positive = (n: number | undefined): number | null => (typeof n === 'number' && n > 0 ? n : null);

export async function checkToken(client: GraphClient, token: string): Promise<TokenInfo> {
  const me = await client.get<MeAnswer>('me', { fields: 'id,name,permissions' });
  let debug: DebugAnswer['data'];
  try {
    debug = (await client.get<DebugAnswer>('debug_token', { input_token: token })).data;
  } catch (err) {
    // debug_token is optional (some tokens may not inspect themselves); only a dead token matters.
    if (err instanceof GraphError && err.kind === 'auth') throw err;
  }
  const granted = me.permissions?.data?.filter((p) => p.status === 'granted').map((p) => p.permission);
  return {
    userId: String(me.id),
    userName: me.name ?? null,
    appId: debug?.app_id ?? null,
    tokenType: debug?.type ?? null,
    // expires_at 0 means "never" (system-user tokens).
    expiresAt: positive(debug?.expires_at),
    dataAccessExpiresAt: positive(debug?.data_access_expires_at),
    permissions: [...new Set(granted ?? debug?.scopes ?? [])].sort(),
  };
}

export function saveConnection(db: Db, method: MetaConnectionMethod, info: TokenInfo, now: number): void {
  db.prepare(
    `INSERT INTO meta_connection (id, method, user_id, user_name, app_id, token_type, expires_at, data_access_expires_at,
       permissions, needs_login, needs_login_reason, connected_at, checked_at)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?)
     ON CONFLICT(id) DO UPDATE SET method = excluded.method, user_id = excluded.user_id, user_name = excluded.user_name,
       app_id = excluded.app_id, token_type = excluded.token_type, expires_at = excluded.expires_at,
       data_access_expires_at = excluded.data_access_expires_at, permissions = excluded.permissions,
       needs_login = 0, needs_login_reason = NULL, connected_at = excluded.connected_at, checked_at = excluded.checked_at`,
  ).run(
    method,
    info.userId,
    info.userName,
    info.appId,
    info.tokenType,
    info.expiresAt,
    info.dataAccessExpiresAt,
    JSON.stringify(info.permissions),
    now,
    now,
  );
}

export function markNeedsLogin(db: Db, reason: string): void {
  db.prepare('UPDATE meta_connection SET needs_login = 1, needs_login_reason = ? WHERE id = 1').run(reason);
}

/** How the workspace is connected, or null when it is not. */
export function connectionMethod(db: Db): MetaConnectionMethod | null {
  const row = db.prepare('SELECT method FROM meta_connection WHERE id = 1').get() as
    | { method: MetaConnectionMethod }
    | undefined;
  return row?.method ?? null;
}

export function clearConnection(db: Db): void {
  db.prepare('DELETE FROM meta_connection').run();
}

interface ConnectionRow {
  method: MetaConnectionMethod;
  user_id: string | null;
  user_name: string | null;
  token_type: string | null;
  expires_at: number | null;
  data_access_expires_at: number | null;
  permissions: string;
  needs_login: number;
  needs_login_reason: string | null;
  checked_at: number;
}

const iso = (ms: number | null | undefined): string | null => (ms ? new Date(ms).toISOString() : null);

export function readStatus(db: Db, opts: { hasToken: boolean; deviceLoginPending: boolean }): MetaStatus {
  const c = db.prepare('SELECT * FROM meta_connection WHERE id = 1').get() as ConnectionRow | undefined;
  const selected = (
    db.prepare('SELECT COUNT(*) AS n FROM meta_accounts WHERE selected = 1').get() as { n: number }
  ).n;
  const run = db.prepare('SELECT * FROM meta_sync_runs ORDER BY id DESC LIMIT 1').get() as
    | {
        started_at: number;
        ended_at: number | null;
        ok: number | null;
        error: string | null;
        summary: string | null;
      }
    | undefined;
  const permissions = c ? (JSON.parse(c.permissions) as string[]) : [];
  const connected = !!c && (opts.hasToken || c.method === 'demo');
  return {
    connected,
    method: c?.method ?? null,
    user: c?.user_id ? { id: c.user_id, name: c.user_name } : null,
    tokenType: c?.token_type ?? null,
    expiresAt: iso(c?.expires_at ? c.expires_at * 1000 : null),
    dataAccessExpiresAt: iso(c?.data_access_expires_at ? c.data_access_expires_at * 1000 : null),
    permissions,
    missingPermissions: c ? REQUIRED_PERMISSIONS.filter((p) => !permissions.includes(p)) : [],
    needsLogin: !!c && (c.needs_login === 1 || !opts.hasToken) && c.method !== 'demo',
    needsLoginReason:
      c?.needs_login_reason ?? (c && !opts.hasToken && c.method !== 'demo' ? 'No token is stored' : null),
    checkedAt: iso(c?.checked_at),
    selectedAccounts: selected,
    deviceLoginPending: opts.deviceLoginPending,
    lastSync: run
      ? {
          startedAt: iso(run.started_at)!,
          endedAt: iso(run.ended_at),
          ok: run.ok === null ? null : run.ok === 1,
          error: run.error,
          summary: run.summary ? JSON.parse(run.summary) : null,
        }
      : null,
  };
}
