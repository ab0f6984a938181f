import { ApiError } from '../../shared/contract/errors';
import type { QuarantineItem } from '../../shared/contract/ingest';
import { parseJsonText } from '../ingest/json-body';
import { preparePayload } from '../ingest/prepare';
import { QUARANTINE_COLUMNS, type QuarantineRow, retryOrigin, toQuarantineItem } from '../ingest/quarantine';
import { type PgStore, sql } from './pool';
import { storePayload } from './receivers';

// The quarantine of a PostgreSQL collector (`insights quarantine … --database`): the same list, show,
// retry and delete as on SQLite (src/core/ingest/quarantine.ts), over the rows the PostgreSQL receivers
// keep. A retry stores a now-readable body through the receivers' own insert, so a body that meanwhile
// arrived again is stored once.

const COUNT = sql('quarantine_count', 'SELECT count(*)::int AS n FROM quarantine WHERE workspace = $1');
const LIST = sql(
  'quarantine_list',
  `SELECT ${QUARANTINE_COLUMNS} FROM quarantine WHERE workspace = $1 ORDER BY id DESC LIMIT $2`,
);
const ONE = sql(
  'quarantine_one',
  `SELECT ${QUARANTINE_COLUMNS}, body FROM quarantine WHERE workspace = $1 AND id = $2`,
);
const TO_RETRY = sql(
  'quarantine_to_retry',
  `SELECT id, origin, channel, received_at, body FROM quarantine
   WHERE workspace = $1 AND ($2::bigint IS NULL OR id = $2) ORDER BY id FOR UPDATE`,
);
const SET_REASON = sql(
  'quarantine_set_reason',
  'UPDATE quarantine SET reason = $3, body = coalesce($4, body) WHERE workspace = $1 AND id = $2',
);
const DELETE = sql(
  'quarantine_delete',
  'DELETE FROM quarantine WHERE workspace = $1 AND ($2::bigint IS NULL OR id = $2) RETURNING id',
);

const notFound = (id: number) => new ApiError('not_found', `No quarantined body ${id}`, 'id');
const idOf = (which: { id: number } | { all: true }) => ('id' in which ? which.id : null);

export async function listQuarantinePg(
  store: PgStore,
  workspace: string,
  limit = 200,
): Promise<{ total: number; items: QuarantineItem[] }> {
  const [count] = await store.query<{ n: number }>(COUNT, [workspace]);
  const rows = await store.query<QuarantineRow>(LIST, [workspace, limit]);
  return { total: count?.n ?? 0, items: rows.map(toQuarantineItem) };
}

export async function showQuarantinePg(
  store: PgStore,
  workspace: string,
  id: number,
): Promise<QuarantineItem & { body: string }> {
  const [row] = await store.query<QuarantineRow & { body: Buffer }>(ONE, [workspace, id]);
  if (!row) throw notFound(id);
  return { ...toQuarantineItem(row), body: row.body.toString('utf8') };
}

/** Re-reads bodies: stored ones leave the quarantine; the others keep the new reason (and only their unreadable part). */
export async function retryQuarantinePg(
  store: PgStore,
  workspace: string,
  which: { id: number } | { all: true },
): Promise<{ retried: number; stored: number; stillBad: number }> {
  return store.tx(async (c) => {
    const rows = await store.query<{
      id: number;
      origin: string;
      channel: string | null;
      received_at: number;
      body: Buffer;
    }>(TO_RETRY, [workspace, idOf(which)], c);
    if ('id' in which && rows.length === 0) throw notFound(which.id);
    const out = { retried: rows.length, stored: 0, stillBad: 0 };
    for (const row of rows) {
      const parsed = parseJsonText(row.body.toString('utf8'));
      const prepared = parsed.ok
        ? preparePayload({
            body: parsed.value,
            origin: retryOrigin(row.origin),
            receivedAt: row.received_at,
            ...(row.channel ? { channel: row.channel } : {}),
          })
        : null;
      if (!prepared?.ok) {
        const reason = prepared ? prepared.reason : parsed.ok ? 'unreadable' : parsed.error;
        await store.query(SET_REASON, [workspace, row.id, reason.slice(0, 2000), null], c);
        out.stillBad++;
        continue;
      }
      await storePayload(store, c, workspace, prepared.payload);
      const invalid = prepared.payload.invalid;
      if (invalid) {
        const rest = Buffer.from(invalid.body, 'utf8');
        await store.query(
          SET_REASON,
          [workspace, row.id, `not stored: ${invalid.reason}`.slice(0, 2000), rest],
          c,
        );
        out.stillBad++;
      } else {
        await store.query(DELETE, [workspace, row.id], c);
        out.stored++;
      }
    }
    return out;
  });
}

export async function deleteQuarantinePg(
  store: PgStore,
  workspace: string,
  which: { id: number } | { all: true },
): Promise<number> {
  const n = (await store.query(DELETE, [workspace, idOf(which)])).length;
  if ('id' in which && n === 0) throw notFound(which.id);
  return n;
}
