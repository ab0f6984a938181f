import type { EraseSummary } from '../../shared/contract/contacts';
import { inflateBody } from '../collector/feed';
import { emptyEraseSummary, erasedContactId, erasureHash, namesContact, stripContact } from '../ingest/erase';
import { normalizePayload } from '../ingest/normalize';
import { deflateBody, sha256 } from '../ingest/prepare';
import { type PgStore, sql } from './pool';

// `insights erase <phone> --database …`: a contact leaves the PostgreSQL collector's raw store (payloads
// rewritten without the contact's entries or deleted when nothing else is in them, its events, outgoing
// messages and quarantined bodies, matched as on SQLite by namesContact), in one transaction that also
// logs the erasure (a hash of each contact id) for the feed, so every desktop erases it at its next sync —
// as `erase` does on a SQLite collector.
// Without a contacts table, a number's user ids (BSUIDs) are read from the payloads that name the number
// (a contact or a message giving both), and the payloads naming only those user ids go too.

const LINKED = sql(
  'erase_linked',
  'SELECT DISTINCT payload_seq FROM payload_contacts WHERE workspace = $1 AND contact_id = ANY($2::text[])',
);
const BODY = sql('erase_body', 'SELECT body, channel FROM raw_payloads WHERE seq = $1 FOR UPDATE');
const DELETE_RAW = sql('erase_raw_delete', 'DELETE FROM raw_payloads WHERE seq = $1');
const REWRITE_RAW = sql(
  'erase_raw_rewrite',
  `UPDATE raw_payloads SET body = $2, sha256 = $3, size = $4 WHERE seq = $1
   AND NOT EXISTS (SELECT 1 FROM raw_payloads o WHERE o.workspace = raw_payloads.workspace AND o.sha256 = $3)
   RETURNING 1`,
);
const UNLINK = sql(
  'erase_unlink',
  'DELETE FROM payload_contacts WHERE workspace = $1 AND contact_id = ANY($2::text[])',
);
const DELETE_EVENTS = sql(
  'erase_events',
  'DELETE FROM external_events WHERE workspace = $1 AND contact_id = ANY($2::text[]) RETURNING 1',
);
const DELETE_OUTGOING = sql(
  'erase_outgoing',
  'DELETE FROM outgoing_messages WHERE workspace = $1 AND contact_id = ANY($2::text[]) RETURNING 1',
);
const QUARANTINE = sql(
  'erase_quarantine_scan',
  'SELECT id, body FROM quarantine WHERE workspace = $1 ORDER BY id FOR UPDATE',
);
const DELETE_QUARANTINE = sql('erase_quarantine', 'DELETE FROM quarantine WHERE id = $1 RETURNING 1');
// The conversions outbox keeps only what stops a second send, as on SQLite (eraseOutboxContacts): no
// contact, no click id; an entry not sent yet is withdrawn. The sender's copy erases at its next sync too.
const ERASE_OUTBOX = sql(
  'erase_outbox',
  `UPDATE capi_outbox SET contact_id = NULL, ctwa_clid = NULL, updated_at = $3,
     reason = CASE WHEN state IN ('pending', 'failed', 'not_sendable') THEN 'erased' ELSE reason END,
     state = CASE WHEN state IN ('pending', 'failed', 'not_sendable') THEN 'withdrawn' ELSE state END,
     seq = nextval('capi_outbox_seq'), xid = pg_current_xact_id()
   WHERE workspace = $1 AND contact_id = ANY($2::text[])`,
);
const LOG = sql('erase_log', 'INSERT INTO erasures (workspace, contact_hash, erased_at) VALUES ($1, $2, $3)');

export async function eraseContactPg(
  store: PgStore,
  workspace: string,
  phone: string,
): Promise<EraseSummary> {
  const contactId = erasedContactId(phone);
  const isNumber = !contactId.startsWith('bsuid:');
  const userIds = new Set(isNumber ? [] : [contactId.slice(6)]);
  const digits = isNumber ? contactId : '\u0000';
  return store.tx(async (c) => {
    const linked = async (ids: string[]) =>
      (await store.query<{ payload_seq: number }>(LINKED, [workspace, ids], c)).map((r) => r.payload_seq);
    const bodies = new Map<number, { body: unknown; channel: string | null } | null>();
    const load = async (seq: number) => {
      if (!bodies.has(seq)) {
        const [row] = await store.query<{ body: Buffer | null; channel: string | null }>(BODY, [seq], c);
        bodies.set(seq, row?.body ? { body: JSON.parse(inflateBody(row.body)), channel: row.channel } : null);
      }
      return bodies.get(seq) ?? null;
    };
    // The number's user ids first, from the payloads that name the number.
    if (isNumber)
      for (const seq of await linked([contactId])) {
        const p = await load(seq);
        if (p) for (const u of userIdsOf(p.body, p.channel, contactId)) userIds.add(u);
      }
    const ids = isNumber ? [contactId, ...[...userIds].map((u) => `bsuid:${u}`)] : [contactId];
    const sum = emptyEraseSummary(ids);
    for (const seq of await linked(ids)) {
      const p = await load(seq);
      const stripped = p ? stripContact(p.body, digits, userIds) : null;
      const text = stripped && stripped.left > 0 ? JSON.stringify(stripped.body) : null;
      const rewritten =
        text !== null &&
        (await store.query(REWRITE_RAW, [seq, deflateBody(text), sha256(text), Buffer.byteLength(text)], c))
          .length > 0;
      if (rewritten) sum.rawPayloadsRewritten++;
      else {
        await store.query(DELETE_RAW, [seq], c);
        sum.rawPayloadsDeleted++;
      }
    }
    await store.query(UNLINK, [workspace, ids], c);
    sum.externalEvents = (await store.query(DELETE_EVENTS, [workspace, ids], c)).length;
    sum.outgoingMessages = (await store.query(DELETE_OUTGOING, [workspace, ids], c)).length;
    const names = namesContact(contactId, userIds);
    for (const q of await store.query<{ id: number; body: Buffer }>(QUARANTINE, [workspace], c))
      if (names(q.body)) sum.quarantine += (await store.query(DELETE_QUARANTINE, [q.id], c)).length;
    await store.query(ERASE_OUTBOX, [workspace, ids, Date.now()], c);
    for (const id of ids) await store.query(LOG, [workspace, erasureHash(id), Date.now()], c);
    return sum;
  });
}

/** The user ids (BSUIDs) a payload gives for the number `digits`, read as the normalizer reads them. */
function userIdsOf(body: unknown, channel: string | null, digits: string): string[] {
  const rows = normalizePayload(body, { channel: channel ?? undefined });
  if (!rows.ok) return [];
  const out: string[] = [];
  for (const c of rows.value.contacts) if (c.waId === digits && c.userId) out.push(c.userId);
  for (const m of rows.value.messages) if (m.from === digits && m.fromUserId) out.push(m.fromUserId);
  return out;
}
