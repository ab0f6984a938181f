import { ApiError } from '../../shared/contract/errors';
import type { UnattributedEvent } from '../../shared/contract/unattributed';
import type { Db } from '../db/open';
import type { Handler } from '../kernel/context';
import { appIdAmong, appIdsOfNumber, resolvePhone } from './business-numbers';
import { appliedConfig } from './config';
import { deriveChanges } from './derive';
import { EXTERNAL_COLUMNS, type ExternalRow } from './engine';
import { decideExternal } from './external-attribution';
import { activePrefix, type Prefix } from './tables';

// Unattributed external events (conv IS NULL in the active table set) with the reason the engine found no
// conversation: the engine's own decision (decideExternal), put in words.

const COLUMNS = EXTERNAL_COLUMNS.split(', ')
  .map((c) => `e.${c}`)
  .join(', ');

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/** Why the engine attributes this event to no conversation (null when it finds one): decideExternal, in words. */
export function unattributedReason(
  db: Db,
  p: Prefix,
  attributionSeconds: number,
  e: ExternalRow,
): string | null {
  const d = decideExternal(db, p, attributionSeconds, e);
  if (d.conv !== null) return null;
  const notes: string[] = [];
  if (d.previous === 'not_found')
    notes.push(`previous_external_event_id ${e.previous_external_event_id} not found`);
  if (d.previous === 'later')
    notes.push(
      `previous_external_event_id ${e.previous_external_event_id} names a later event (not followed)`,
    );
  if (d.previous === 'unattributed')
    notes.push(`the previous event ${e.previous_external_event_id} is unattributed too`);
  const { phones } = d;
  if (phones?.length === 0) return [...notes, `unknown app_id ${e.app_id}`].join('; ');
  const days = Math.round(attributionSeconds / 86_400);
  const count = (sql: string, ...args: unknown[]) =>
    db
      .prepare(sql)
      .pluck()
      .get(...args) as number;
  let reason: string;
  if (d.latestStart !== null)
    reason = `later than the attribution window (${plural(days, 'day')}) after the last conversation`;
  else if (count(`SELECT COUNT(*) FROM ${p}conversations WHERE contact = ?`, e.contact_id) === 0)
    reason = 'no conversation with this contact';
  else if (
    phones !== null &&
    count(
      `SELECT COUNT(*) FROM ${p}conversations WHERE contact = ? AND phone IN (${phones.map(() => '?').join(', ')})`,
      e.contact_id,
      ...phones,
    ) === 0
  )
    reason = `no conversation on app_id ${e.app_id}`;
  else reason = 'no conversation with this contact before the event';
  return [...notes, reason].join('; ');
}

function toRow(e: ExternalRow, reason: string): UnattributedEvent {
  return {
    id: e.id,
    action: e.action,
    leadPhone: e.contact_id,
    time: new Date(e.ts * 1000).toISOString(),
    revenue: e.revenue_amount,
    currency: e.revenue_amount === null ? null : (e.revenue_currency ?? 'USD').toUpperCase(),
    appId: e.app_id,
    reason,
  };
}

/** Events whose app_id is empty or names the phone (same rule as the dashboard's unattributed count). */
function phoneFilter(db: Db, p: Prefix, phone: string | undefined): { sql: string; args: unknown[] } {
  if (!phone) return { sql: '', args: [] };
  const id = resolvePhone(db, phone).id;
  const appIds = db.prepare(`SELECT DISTINCT app_id FROM ${p}external WHERE conv IS NULL`).pluck().all() as (
    | string
    | null
  )[];
  return { sql: `AND ${appIdAmong('e.app_id')}`, args: [appIdsOfNumber(db, id, appIds)] };
}

const list: Handler<'events.unattributed.list'> = ({ phone, limit = 100, offset = 0 }, ctx) => {
  const db = ctx.db();
  const p = activePrefix(db);
  const config = appliedConfig(db, false);
  const f = phoneFilter(db, p, phone);
  const from = `FROM ${p}external x JOIN external_events e ON e.id = x.event_id WHERE x.conv IS NULL ${f.sql}`;
  const total = db
    .prepare(`SELECT COUNT(*) ${from}`)
    .pluck()
    .get(...f.args) as number;
  const events = db
    .prepare(`SELECT ${COLUMNS} ${from} ORDER BY e.ts DESC, e.id LIMIT ? OFFSET ?`)
    .all(...f.args, limit, offset) as ExternalRow[];
  const rows = events.map((e) =>
    toRow(
      e,
      // The engine's result can lag its rules (a rebuild pending): say so rather than invent a reason.
      unattributedReason(db, p, config.attributionSeconds, e) ?? 'matches a conversation now: retry',
    ),
  );
  return { total, rows };
};

function eventOf(db: Db, id: string): ExternalRow {
  const e = db.prepare(`SELECT ${COLUMNS} FROM external_events e WHERE e.id = ?`).get(id) as
    | ExternalRow
    | undefined;
  if (!e) throw new ApiError('not_found', `No external event "${id}" in this workspace`, 'id');
  return e;
}

const retry: Handler<'events.unattributed.retry'> = ({ id }, ctx) => {
  const db = ctx.db();
  const result = db.transaction(() => {
    const e = eventOf(db, id);
    deriveChanges(db, { messageIds: [], externalEventIds: [id], outgoingIds: [] });
    const p = activePrefix(db);
    const conv = db.prepare(`SELECT conv FROM ${p}external WHERE event_id = ?`).pluck().get(id);
    const attributed = conv !== null && conv !== undefined;
    return {
      attributed,
      reason: attributed
        ? null
        : (unattributedReason(db, p, appliedConfig(db).attributionSeconds, e) ?? 'no matching conversation'),
    };
  })();
  if (result.attributed) ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'events' });
  return result;
};

const remove: Handler<'events.unattributed.delete'> = ({ id }, ctx) => {
  const db = ctx.db();
  db.transaction(() => {
    const e = eventOf(db, id);
    const conv = db
      .prepare(`SELECT conv FROM ${activePrefix(db)}external WHERE event_id = ?`)
      .pluck()
      .get(id);
    if (conv !== null && conv !== undefined)
      throw new ApiError(
        'invalid_argument',
        'This event counts for a conversation; only unattributed events are deleted here',
        'id',
      );
    // Events chained to this one lose their link: derive them again after the raw row is gone.
    const dependents = db
      .prepare('SELECT id FROM external_events WHERE previous_external_event_id IN (?, ?)')
      .pluck()
      .all(e.id, e.event_id ?? e.id) as string[];
    db.prepare('DELETE FROM external_events WHERE id = ?').run(id);
    deriveChanges(db, { messageIds: [], externalEventIds: [id, ...dependents], outgoingIds: [] });
  })();
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'events' });
  return { deleted: 1 };
};

export const unattributedHandlers = {
  'events.unattributed.list': list,
  'events.unattributed.retry': retry,
  'events.unattributed.delete': remove,
};
