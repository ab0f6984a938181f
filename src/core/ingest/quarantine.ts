import { ApiError } from '../../shared/contract/errors';
import type { QuarantineItem } from '../../shared/contract/ingest';
import type { Db } from '../db/open';
import { ingestPayloads, type PayloadInput } from './ingest';
import { parseJsonText } from './json-body';

// Bodies the receiver could not read are kept as delivered, with the reason, so nothing a sender
// believed delivered is silently lost; the user can inspect, retry (after a fix) or delete them.

export interface QuarantineInput {
  origin: string;
  channel: string | null;
  reason: string;
  contentType: string | null;
  body: Buffer;
  receivedAt?: number;
}

export function addToQuarantine(db: Db, q: QuarantineInput): number {
  return db
    .prepare<unknown[], { id: number }>(
      'INSERT INTO quarantine (received_at, origin, channel, reason, content_type, body) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    )
    .get(q.receivedAt ?? Date.now(), q.origin, q.channel, q.reason.slice(0, 2000), q.contentType, q.body)!.id;
}

/** A quarantine row as both backends list it (QUARANTINE_COLUMNS). */
export interface QuarantineRow {
  id: number;
  received_at: number;
  origin: string;
  channel: string | null;
  reason: string;
  content_type: string | null;
  size: number;
}

export const toQuarantineItem = (r: QuarantineRow): QuarantineItem => ({
  id: r.id,
  receivedAt: new Date(r.received_at).toISOString(),
  origin: r.origin,
  channel: r.channel,
  reason: r.reason,
  contentType: r.content_type,
  size: r.size,
});

export const QUARANTINE_COLUMNS =
  'id, received_at, origin, channel, reason, content_type, length(body) AS size';

export function listQuarantine(db: Db, limit = 200): { total: number; items: QuarantineItem[] } {
  const total = (db.prepare('SELECT count(*) AS n FROM quarantine').get() as { n: number }).n;
  const rows = db
    .prepare(`SELECT ${QUARANTINE_COLUMNS} FROM quarantine ORDER BY id DESC LIMIT ?`)
    .all(limit) as QuarantineRow[];
  return { total, items: rows.map(toQuarantineItem) };
}

export function showQuarantine(db: Db, id: number): QuarantineItem & { body: string } {
  const row = db.prepare(`SELECT ${QUARANTINE_COLUMNS}, body FROM quarantine WHERE id = ?`).get(id) as
    | (QuarantineRow & { body: Buffer })
    | undefined;
  if (!row) throw new ApiError('not_found', `No quarantined body ${id}`, 'id');
  return { ...toQuarantineItem(row), body: row.body.toString('utf8') };
}

const ORIGINS = new Set<PayloadInput['origin']>(['webhook', 'import', 'sync', 'demo', 'send-proxy']);
/** The origin a retried body is stored with: its own, or webhook for one this version does not know. */
export const retryOrigin = (origin: string): PayloadInput['origin'] =>
  ORIGINS.has(origin as PayloadInput['origin']) ? (origin as PayloadInput['origin']) : 'webhook';

/** Re-runs bodies through ingestion; stored ones leave the quarantine, the others keep the new reason (and only their unreadable part). */
export function retryQuarantine(
  db: Db,
  which: { id: number } | { all: true },
): { retried: number; stored: number; stillBad: number } {
  const rows = (
    'id' in which
      ? db.prepare('SELECT id, origin, channel, received_at, body FROM quarantine WHERE id = ?').all(which.id)
      : db.prepare('SELECT id, origin, channel, received_at, body FROM quarantine ORDER BY id').all()
  ) as { id: number; origin: string; channel: string | null; received_at: number; body: Buffer }[];
  if ('id' in which && rows.length === 0)
    throw new ApiError('not_found', `No quarantined body ${which.id}`, 'id');
  const out = { retried: rows.length, stored: 0, stillBad: 0 };
  const setReason = db.prepare('UPDATE quarantine SET reason = ?, body = coalesce(?, body) WHERE id = ?');
  const remove = db.prepare('DELETE FROM quarantine WHERE id = ?');
  db.transaction(() => {
    for (const row of rows) {
      const parsed = parseJsonText(row.body.toString('utf8'));
      let reason: string | null = parsed.ok ? null : parsed.error;
      // A body readable in part: that part is stored, the rest stays here.
      let rest: Buffer | null = null;
      if (parsed.ok) {
        const r = ingestPayloads(db, [
          {
            body: parsed.value,
            origin: retryOrigin(row.origin),
            receivedAt: row.received_at,
            ...(row.channel ? { channel: row.channel } : {}),
          },
        ]);
        reason = r.rejected[0]?.reason ?? null;
        const part = r.partial[0];
        if (part) {
          reason = `not stored: ${part.reason}`;
          rest = Buffer.from(part.body, 'utf8');
        }
      }
      if (reason === null) {
        remove.run(row.id);
        out.stored++;
      } else {
        setReason.run(reason.slice(0, 2000), rest, row.id);
        out.stillBad++;
      }
    }
  }).immediate();
  return out;
}

export function deleteQuarantine(db: Db, which: { id: number } | { all: true }): number {
  if ('all' in which) return db.prepare('DELETE FROM quarantine').run().changes;
  const n = db.prepare('DELETE FROM quarantine WHERE id = ?').run(which.id).changes;
  if (n === 0) throw new ApiError('not_found', `No quarantined body ${which.id}`, 'id');
  return n;
}
