import { ApiError } from '../../shared/contract/errors';
import type { MetaAccount } from '../../shared/contract/meta';
import { numbersNamed } from '../attribution/business-numbers';
import type { Db } from '../db/open';
import { getSetting, setSetting } from '../db/settings';
import type { GraphClient } from './graph-client';

// /me/adaccounts (https://developers.facebook.com/docs/marketing-api/reference/user/adaccounts; fields:
// https://developers.facebook.com/docs/marketing-api/reference/ad-account): id = act_<account_id>.

const ACCOUNT_FIELDS = 'id,account_id,name,currency,timezone_name,timezone_offset_hours_utc,account_status';

const STATUS_LABELS: Record<number, string> = {
  1: 'active',
  2: 'disabled',
  3: 'unsettled',
  7: 'pending review',
  9: 'in grace period',
  100: 'pending closure',
  101: 'temporarily unavailable',
};

interface GraphAccount {
  id: string;
  account_id?: string;
  name?: string;
  currency?: string;
  timezone_name?: string;
  account_status?: number | string;
}

export async function refreshAccounts(db: Db, client: GraphClient, now: number): Promise<number> {
  const list = await client.all<GraphAccount>('me/adaccounts', { fields: ACCOUNT_FIELDS, limit: 100 });
  const upsert = db.prepare(
    `INSERT INTO meta_accounts (id, account_id, name, currency, timezone_name, status, selected, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 0, ?)
     ON CONFLICT(id) DO UPDATE SET account_id = excluded.account_id, name = excluded.name, currency = excluded.currency,
       timezone_name = excluded.timezone_name, status = excluded.status, updated_at = excluded.updated_at`,
  );
  db.transaction(() => {
    for (const a of list) {
      const id = a.id.startsWith('act_') ? a.id : `act_${a.id}`;
      const status = a.account_status === undefined ? null : Number(a.account_status);
      upsert.run(
        id,
        a.account_id ?? id.slice(4),
        a.name ?? null,
        a.currency ?? null,
        a.timezone_name ?? null,
        status,
        now,
      );
    }
  })();
  return list.length;
}

interface AccountRow {
  id: string;
  account_id: string;
  name: string | null;
  currency: string | null;
  timezone_name: string | null;
  status: number | null;
  selected: number;
  spend_since: string | null;
  spend_through: string | null;
  last_sync_at: number | null;
}

export function listAccounts(db: Db): MetaAccount[] {
  const rows = db
    .prepare(
      `SELECT a.*, s.spend_since, s.spend_through, s.last_sync_at FROM meta_accounts a
       LEFT JOIN meta_sync_state s ON s.account_id = a.id ORDER BY a.selected DESC, a.name, a.id`,
    )
    .all() as AccountRow[];
  const links = db
    .prepare('SELECT account_id, phone_number_id FROM meta_account_numbers ORDER BY phone_number_id')
    .all() as {
    account_id: string;
    phone_number_id: string;
  }[];
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    currency: r.currency,
    timezone: r.timezone_name,
    status: r.status,
    statusLabel: r.status === null ? null : (STATUS_LABELS[r.status] ?? `status ${r.status}`),
    selected: r.selected === 1,
    phoneNumberIds: links.filter((l) => l.account_id === r.id).map((l) => l.phone_number_id),
    spendSince: r.spend_since,
    spendThrough: r.spend_through,
    lastSyncAt: r.last_sync_at ? new Date(r.last_sync_at).toISOString() : null,
  }));
}

/**
 * Replaces the selection. A newly selected account without links is linked to every business number
 * of the workspace; the first selected account's currency becomes the workspace currency unless one is set.
 */
export function selectAccounts(db: Db, accountIds: string[]): void {
  const known = new Set(
    (db.prepare('SELECT id FROM meta_accounts').all() as { id: string }[]).map((r) => r.id),
  );
  const unknown = accountIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ApiError(
      'invalid_argument',
      `Unknown ad account ${unknown.join(', ')}: list the accounts first (insights meta accounts)`,
      'accountIds',
    );
  }
  db.transaction(() => {
    db.prepare('UPDATE meta_accounts SET selected = 0').run();
    const select = db.prepare('UPDATE meta_accounts SET selected = 1 WHERE id = ?');
    for (const id of accountIds) select.run(id);
    linkUnlinkedAccounts(db);
    const first = accountIds[0];
    if (first !== undefined && getSetting<string | null>(db, 'currency', null) === null) {
      const row = db.prepare('SELECT currency FROM meta_accounts WHERE id = ?').get(first) as {
        currency: string | null;
      };
      if (row.currency) setSetting(db, 'currency', row.currency);
    }
  })();
}

/**
 * Selected accounts without any link lead to every business number of the workspace (the default),
 * including numbers that appeared after the selection: the sync calls this too.
 */
export function linkUnlinkedAccounts(db: Db): void {
  db.prepare(
    `INSERT OR IGNORE INTO meta_account_numbers (account_id, phone_number_id)
     SELECT a.id, b.phone_number_id FROM meta_accounts a, business_numbers b
     WHERE a.selected = 1 AND NOT EXISTS (SELECT 1 FROM meta_account_numbers n WHERE n.account_id = a.id)`,
  ).run();
}

/** Numbers may be given as phone_number_id, display number or its digits. Replaces the account's links. */
export function linkNumbers(db: Db, accountId: string, numbers: string[]): void {
  if (!db.prepare('SELECT 1 FROM meta_accounts WHERE id = ?').get(accountId)) {
    throw new ApiError('invalid_argument', `Unknown ad account ${accountId}`, 'accountId');
  }
  const ids: string[] = [];
  for (const n of numbers) {
    const row = numbersNamed(db, n)[0];
    if (!row)
      throw new ApiError('invalid_argument', `No business number "${n}" in this workspace`, 'phoneNumbers');
    ids.push(row.id);
  }
  db.transaction(() => {
    db.prepare('DELETE FROM meta_account_numbers WHERE account_id = ?').run(accountId);
    const insert = db.prepare(
      'INSERT OR IGNORE INTO meta_account_numbers (account_id, phone_number_id) VALUES (?, ?)',
    );
    for (const id of ids) insert.run(accountId, id);
  })();
}

export interface SelectedAccount {
  id: string;
  name: string | null;
  currency: string | null;
  timezone: string;
}

export function selectedAccounts(db: Db): SelectedAccount[] {
  return (
    db
      .prepare('SELECT id, name, currency, timezone_name FROM meta_accounts WHERE selected = 1 ORDER BY id')
      .all() as {
      id: string;
      name: string | null;
      currency: string | null;
      timezone_name: string | null;
    }[]
  ).map((r) => ({ id: r.id, name: r.name, currency: r.currency, timezone: r.timezone_name || 'UTC' }));
}
