import { OUTBOX_COLUMNS } from '../conversions/outbox';
import type { Db } from '../db/open';
import { openDatabase } from '../db/open';
import { listWorkspaces, workspaceDbPath } from '../workspace/workspaces';
import { copyOutboxRows } from './conversions-round';
import type { PgStore, Queryable } from './pool';
import { sql } from './pool';

// `insights collector migrate --from <SQLite data folder> --to postgres://…`: copies what a SQLite
// collector holds for the receivers and the feed — channels (secret hashes), API-key and read-token
// hashes, settings, raw payloads with their contacts, external events, outgoing messages, erasures and
// the quarantine — into the PostgreSQL store, workspace by workspace.
//
// - Resumable: each table is copied in batches, each batch one transaction together with its progress
//   row (sqlite_import_progress), so an interrupted run continues after the last committed batch.
// - Idempotent: every insert meets the same unique constraints the receivers use (ON CONFLICT DO
//   NOTHING), and erasures and quarantine rows, which have none, are copied once by their progress;
//   a second run copies nothing.
// - Desktops keep their cursor: each feed row the copy inserts is recorded with its SQLite position
//   (sqlite_import_rows); src/core/pg/sqlite-cursor.ts turns a SQLite cursor into a PostgreSQL one from it.
// Derived tables (messages, attribution …) are not copied: desktops derive them, and the PostgreSQL
// store keeps the raw store only. A channel's 360dialog API key stays in the source's secret store.
// One module (~410 lines): every table is copied by the same batch-and-progress rule, kept side by side.

export const IMPORT_BATCH = 1000;

export type ImportKind = 'p' | 'e' | 'o' | 'x' | 'q';

export interface WorkspaceImport {
  workspace: string;
  channels: number;
  apiKeys: number;
  readTokens: number;
  settings: number;
  /** Rows inserted per table by this run (0 everywhere on a second run). */
  copied: Record<ImportKind, number>;
  /** Rows read per table by this run, inserted or already there. */
  read: Record<ImportKind, number>;
  /** Channels the target already has in another workspace: not moved. */
  channelConflicts: string[];
  /** Conversions outbox entries read (each copied, or merged into PostgreSQL's: a sent one stays sent). */
  outbox: number;
}

const PROGRESS = sql(
  'import_progress',
  'SELECT last_id FROM sqlite_import_progress WHERE workspace = $1 AND kind = $2',
);
const SET_PROGRESS = sql(
  'import_set_progress',
  `INSERT INTO sqlite_import_progress (workspace, kind, last_id) VALUES ($1, $2, $3)
   ON CONFLICT (workspace, kind) DO UPDATE SET last_id = EXCLUDED.last_id`,
);
const MAP_ROWS = sql(
  'import_map_rows',
  `INSERT INTO sqlite_import_rows (workspace, kind, seq, sqlite_id, reissued)
   SELECT $1, $2, t.seq, t.sqlite_id, t.reissued FROM unnest($3::bigint[], $4::bigint[], $5::bigint[]) AS t(seq, sqlite_id, reissued)
   ON CONFLICT DO NOTHING`,
);

// The feed tables, inserted in SQLite order (WITH ORDINALITY … ORDER BY) so their seq follows it.
const INSERT: Record<'p' | 'e' | 'o' | 'x', ReturnType<typeof sql>> = {
  p: sql(
    'import_payloads',
    `INSERT INTO raw_payloads (workspace, sha256, received_at, origin, format, channel, body, size)
     SELECT $1, t.sha256, t.received_at, t.origin, t.format, t.channel, t.body, t.size
     FROM unnest($2::bytea[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::int[])
          WITH ORDINALITY AS t(sha256, received_at, origin, format, channel, body, size, ord)
     ORDER BY t.ord
     ON CONFLICT (workspace, sha256) DO NOTHING RETURNING seq, encode(sha256, 'hex') AS key`,
  ),
  e: sql(
    'import_events',
    `INSERT INTO external_events (workspace, id, event_id, client_id, action, contact_id, ts, revenue_amount,
       revenue_currency, app_id, previous_external_event_id, received_at, origin)
     SELECT $1, t.id, t.event_id, t.client_id, t.action, t.contact_id, t.ts, t.revenue_amount, t.revenue_currency,
       t.app_id, t.previous_external_event_id, t.received_at, t.origin
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::float8[],
                 $9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[])
          WITH ORDINALITY AS t(id, event_id, client_id, action, contact_id, ts, revenue_amount, revenue_currency,
                               app_id, previous_external_event_id, received_at, origin, ord)
     ORDER BY t.ord
     ON CONFLICT DO NOTHING RETURNING seq, id AS key`,
  ),
  o: sql(
    'import_outgoing',
    `INSERT INTO outgoing_messages (workspace, id, phone_number_id, contact_id, template_name, sent_at, buttons, origin)
     SELECT $1, t.id, t.phone_number_id, t.contact_id, t.template_name, t.sent_at, t.buttons, t.origin
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[])
          WITH ORDINALITY AS t(id, phone_number_id, contact_id, template_name, sent_at, buttons, origin, ord)
     ORDER BY t.ord
     ON CONFLICT (workspace, id) DO NOTHING RETURNING seq, id AS key`,
  ),
  x: sql(
    'import_erasures',
    `INSERT INTO erasures (workspace, contact_hash, erased_at)
     SELECT $1, t.contact_hash, t.erased_at
     FROM unnest($2::bytea[], $3::bigint[]) WITH ORDINALITY AS t(contact_hash, erased_at, ord)
     ORDER BY t.ord
     RETURNING seq, encode(contact_hash, 'hex') || ':' || erased_at AS key`,
  ),
};

const INSERT_CONTACTS = sql(
  'import_payload_contacts',
  `INSERT INTO payload_contacts (workspace, contact_id, payload_seq)
   SELECT $1, t.contact_id, t.seq FROM unnest($2::text[], $3::bigint[]) AS t(contact_id, seq) ON CONFLICT DO NOTHING`,
);
const INSERT_QUARANTINE = sql(
  'import_quarantine',
  `INSERT INTO quarantine (workspace, origin, channel, reason, content_type, body, received_at)
   SELECT $1, t.origin, t.channel, t.reason, t.content_type, t.body, t.received_at
   FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::bigint[])
        AS t(origin, channel, reason, content_type, body, received_at)`,
);

// What is read from SQLite per kind, in rowid order after the last copied one.
const SOURCE: Record<ImportKind, string> = {
  p: 'SELECT id AS sid, sha256, received_at, origin, format, channel, body, size FROM raw_payloads',
  e: `SELECT rowid AS sid, id, event_id, client_id, action, contact_id, ts, revenue_amount, revenue_currency,
        app_id, previous_external_event_id, received_at, origin FROM external_events`,
  o: `SELECT rowid AS sid, id, phone_number_id, contact_id, template_name, sent_at, coalesce(buttons, '[]') AS buttons,
        origin FROM outgoing_messages`,
  x: 'SELECT seq AS sid, contact_hash, erased_at FROM sync_erasures',
  q: 'SELECT id AS sid, origin, channel, reason, content_type, body, received_at FROM quarantine',
};
const WHERE_AFTER: Record<ImportKind, string> = {
  p: 'id > ? ORDER BY id',
  e: 'rowid > ? ORDER BY rowid',
  o: 'rowid > ? ORDER BY rowid',
  x: 'seq > ? ORDER BY seq',
  q: 'id > ? ORDER BY id',
};

type SRow = Record<string, unknown> & { sid: number };

const col = (rows: SRow[], name: string) => rows.map((r) => r[name] ?? null);
const keyOf: Record<'p' | 'e' | 'o' | 'x', (r: SRow) => string> = {
  p: (r) => (r.sha256 as Buffer).toString('hex'),
  e: (r) => r.id as string,
  o: (r) => r.id as string,
  x: (r) => `${(r.contact_hash as Buffer).toString('hex')}:${r.erased_at}`,
};

function feedValues(kind: 'p' | 'e' | 'o' | 'x', rows: SRow[]): unknown[] {
  switch (kind) {
    case 'p':
      return ['sha256', 'received_at', 'origin', 'format', 'channel', 'body', 'size'].map((c) =>
        col(rows, c),
      );
    case 'e':
      return [
        'id',
        'event_id',
        'client_id',
        'action',
        'contact_id',
        'ts',
        'revenue_amount',
        'revenue_currency',
        'app_id',
        'previous_external_event_id',
        'received_at',
        'origin',
      ].map((c) => col(rows, c));
    case 'o':
      return ['id', 'phone_number_id', 'contact_id', 'template_name', 'sent_at', 'buttons', 'origin'].map(
        (c) => col(rows, c),
      );
    case 'x':
      return [col(rows, 'contact_hash'), col(rows, 'erased_at')];
  }
}

/** Copies one batch of `kind` after `after`; false when there was nothing left. */
async function copyBatch(
  store: PgStore,
  db: Db,
  workspace: string,
  kind: ImportKind,
  after: number,
  reissued: Map<string, number>,
  out: WorkspaceImport,
): Promise<number | null> {
  const rows = db
    .prepare(`${SOURCE[kind]} WHERE ${WHERE_AFTER[kind]} LIMIT ?`)
    .all(after, IMPORT_BATCH) as SRow[];
  if (rows.length === 0) return null;
  const last = rows.at(-1)!.sid;
  await store.tx(async (c) => {
    if (kind === 'q') {
      const v = ['origin', 'channel', 'reason', 'content_type', 'body', 'received_at'].map((n) =>
        col(rows, n),
      );
      await store.query(INSERT_QUARANTINE, [workspace, ...v], c);
      out.copied.q += rows.length;
    } else {
      const inserted = await store.query<{ seq: number; key: string }>(
        INSERT[kind],
        [workspace, ...feedValues(kind, rows)],
        c,
      );
      out.copied[kind] += inserted.length;
      await mapInserted(store, c, workspace, kind, rows, inserted, reissued, db);
    }
    await store.query(SET_PROGRESS, [workspace, kind, last], c);
  });
  out.read[kind] += rows.length;
  return last;
}

/** Records the SQLite position of each inserted feed row (and a payload's contacts, for erase). */
async function mapInserted(
  store: PgStore,
  c: Queryable,
  workspace: string,
  kind: 'p' | 'e' | 'o' | 'x',
  rows: SRow[],
  inserted: { seq: number; key: string }[],
  reissued: Map<string, number>,
  db: Db,
): Promise<void> {
  if (inserted.length === 0) return;
  const sidOf = new Map(rows.map((r) => [keyOf[kind](r), r.sid]));
  const seqs: number[] = [];
  const sids: number[] = [];
  const again: (number | null)[] = [];
  for (const r of inserted) {
    const sid = sidOf.get(r.key);
    if (sid === undefined) continue;
    seqs.push(r.seq);
    sids.push(sid);
    again.push(reissued.get(`${kind}:${sid}`) ?? null);
  }
  await store.query(MAP_ROWS, [workspace, kind, seqs, sids, again], c);
  if (kind !== 'p') return;
  const contactsOf = db
    .prepare('SELECT contact_id FROM raw_payload_contacts WHERE raw_payload_id = ?')
    .pluck();
  const ids: string[] = [];
  const payloadSeqs: number[] = [];
  for (let i = 0; i < seqs.length; i++)
    for (const id of contactsOf.all(sids[i]) as string[]) {
      ids.push(id);
      payloadSeqs.push(seqs[i]!);
    }
  if (ids.length > 0) await store.query(INSERT_CONTACTS, [workspace, ids, payloadSeqs], c);
}

/** The small tables, in one transaction: what a receiver needs to accept a delivery. */
async function copyDirectory(store: PgStore, db: Db, workspace: string, out: WorkspaceImport): Promise<void> {
  const channels = db
    .prepare(
      'SELECT phone_number_id, name, secret_hash, has_api_key, created_at FROM channels ORDER BY phone_number_id',
    )
    .all() as {
    phone_number_id: string;
    name: string | null;
    secret_hash: Buffer;
    has_api_key: number;
    created_at: number;
  }[];
  const keys = db
    .prepare(
      'SELECT id, name, key_hash, prefix, created_at, last_used_at, revoked_at FROM api_keys ORDER BY id',
    )
    .all() as Record<string, unknown>[];
  const tokens = db
    .prepare('SELECT id, name, hash, created_at, last_used_at, revoked_at FROM collector_tokens ORDER BY id')
    .all() as Record<string, unknown>[];
  const settings = db.prepare('SELECT key, value FROM settings ORDER BY key').all() as {
    key: string;
    value: string;
  }[];
  await store.tx(async (c) => {
    for (const ch of channels) {
      const added = await store.query(
        sql(
          'import_channel',
          `INSERT INTO channels (phone_number_id, workspace, name, secret_hash, has_api_key, created_at)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (phone_number_id) DO NOTHING RETURNING 1`,
        ),
        [ch.phone_number_id, workspace, ch.name, ch.secret_hash, ch.has_api_key === 1, ch.created_at],
        c,
      );
      out.channels += added.length;
      if (added.length === 0) {
        const [there] = await store.query<{ workspace: string }>(
          sql('import_channel_ws', 'SELECT workspace FROM channels WHERE phone_number_id = $1'),
          [ch.phone_number_id],
          c,
        );
        if (there && there.workspace !== workspace) out.channelConflicts.push(ch.phone_number_id);
      }
    }
    for (const k of keys)
      out.apiKeys += (
        await store.query(
          sql(
            'import_api_key',
            `INSERT INTO api_keys (id, workspace, name, key_hash, prefix, created_at, last_used_at, revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING 1`,
          ),
          [k.id, workspace, k.name, k.key_hash, k.prefix, k.created_at, k.last_used_at, k.revoked_at],
          c,
        )
      ).length;
    for (const t of tokens)
      out.readTokens += (
        await store.query(
          sql(
            'import_read_token',
            `INSERT INTO read_tokens (id, workspace, name, hash, created_at, last_used_at, revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING 1`,
          ),
          [t.id, workspace, t.name, t.hash, t.created_at, t.last_used_at, t.revoked_at],
          c,
        )
      ).length;
    // A setting already in PostgreSQL (changed there since a first run) is kept.
    for (const s of settings)
      out.settings += (
        await store.query(
          sql(
            'import_setting',
            'INSERT INTO settings (workspace, key, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1',
          ),
          [workspace, s.key, s.value],
          c,
        )
      ).length;
  });
}

/**
 * The conversions outbox the SQLite collector sent from (its own entries): the PostgreSQL collector that
 * takes the `conversions` lease starts from it, so nothing it sent goes to Meta again. Idempotent (an
 * unchanged entry is left as it is) and without progress rows: a second run copies what changed since.
 */
async function copyOutbox(store: PgStore, db: Db, workspace: string): Promise<number> {
  const page = db.prepare(
    `SELECT ${OUTBOX_COLUMNS.join(', ')} FROM capi_outbox WHERE origin = 'local' AND event_id > ?
     ORDER BY event_id LIMIT ?`,
  );
  let read = 0;
  for (let after = ''; ; ) {
    const rows = page.all(after, IMPORT_BATCH) as Parameters<typeof copyOutboxRows>[2][number][];
    if (rows.length === 0) return read;
    await copyOutboxRows(store, workspace, rows, null);
    read += rows.length;
    after = rows.at(-1)!.event_id;
  }
}

const zero = (): Record<ImportKind, number> => ({ p: 0, e: 0, o: 0, x: 0, q: 0 });

/**
 * Copies every workspace of a SQLite data folder (the demo workspace excepted) into the PostgreSQL
 * store; `onProgress` hears each batch. Safe to interrupt and run again.
 */
export async function importSqliteCollector(
  store: PgStore,
  dataDir: string,
  onProgress: (workspace: string, kind: ImportKind, rows: number) => void = () => {},
): Promise<WorkspaceImport[]> {
  const results: WorkspaceImport[] = [];
  for (const ws of listWorkspaces(dataDir)) {
    if (ws.isDemo) continue;
    const db = openDatabase(workspaceDbPath(dataDir, ws.name), { readonly: true });
    try {
      const out: WorkspaceImport = {
        workspace: ws.name,
        channels: 0,
        apiKeys: 0,
        readTokens: 0,
        settings: 0,
        copied: zero(),
        read: zero(),
        channelConflicts: [],
        outbox: 0,
      };
      await copyDirectory(store, db, ws.name, out);
      // Rows SQLite served again after a rowid was reused (migration 0006): a cursor's `r` says whether
      // a desktop has had them.
      const reissued = new Map<string, number>();
      for (const r of db
        .prepare('SELECT kind, row, max(seq) AS seq FROM sync_reissued GROUP BY kind, row')
        .all() as {
        kind: string;
        row: number;
        seq: number;
      }[])
        reissued.set(`${r.kind}:${r.row}`, r.seq);
      for (const kind of ['x', 'p', 'e', 'o', 'q'] as const) {
        const [done] = await store.query<{ last_id: number }>(PROGRESS, [ws.name, kind]);
        let after = done?.last_id ?? 0;
        for (;;) {
          const last = await copyBatch(store, db, ws.name, kind, after, reissued, out);
          if (last === null) break;
          after = last;
          onProgress(ws.name, kind, out.read[kind]);
        }
      }
      out.outbox = await copyOutbox(store, db, ws.name);
      results.push(out);
    } finally {
      db.close();
    }
  }
  return results;
}
