import type { EraseSummary } from '../../shared/contract/contacts';
import { inflateBody } from '../collector/feed';
import { emptyEraseSummary, erasedContactId, erasureHash, stripContact } from '../ingest/erase';
import { deflateBody, sha256 } from '../ingest/prepare';
import { type PgStore, sql } from './pool';

// `insights erase <phone> --database …`: a contact leaves the PostgreSQL collector's raw store (payloads
// rewritten without the contact's entries or deleted when nothing else is in them, its events, outgoing
// messages and quarantined bodies), in one transaction that also logs the erasure (a hash of the contact
// id) for the feed, so every desktop erases it at its next sync — as `erase` does on a SQLite collector.
// Without a contacts table, a number's user ids (BSUIDs) are not known here: erase those by `bsuid:<id>`.

const LINKED = sql(
  'erase_linked',
  'SELECT DISTINCT payload_seq FROM payload_contacts WHERE workspace = $1 AND contact_id = ANY($2::text[])',
);
const BODY = sql('erase_body', 'SELECT body FROM raw_payloads WHERE seq = $1 FOR UPDATE');
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
// The number as a whole run of digits in the unreadable body (PostgreSQL regexes have no look-behind).
const DELETE_QUARANTINE = sql(
  'erase_quarantine',
  `DELETE FROM quarantine WHERE workspace = $1
   AND convert_from(body, 'UTF8') ~ ('(^|[^0-9])' || $2 || '([^0-9]|$)') RETURNING 1`,
);
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
  const ids = [contactId];
  const userIds = new Set(contactId.startsWith('bsuid:') ? [contactId.slice(6)] : []);
  const digits = contactId.startsWith('bsuid:') ? '\u0000' : contactId;
  const sum = emptyEraseSummary(ids);
  return store.tx(async (c) => {
    for (const { payload_seq: seq } of await store.query<{ payload_seq: number }>(
      LINKED,
      [workspace, ids],
      c,
    )) {
      const [row] = await store.query<{ body: Buffer | null }>(BODY, [seq], c);
      if (!row) continue;
      const stripped = row.body ? stripContact(JSON.parse(inflateBody(row.body)), digits, userIds) : null;
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
    if (!contactId.startsWith('bsuid:'))
      sum.quarantine = (await store.query(DELETE_QUARANTINE, [workspace, contactId], c)).length;
    await store.query(ERASE_OUTBOX, [workspace, ids, Date.now()], c);
    await store.query(LOG, [workspace, erasureHash(contactId), Date.now()], c);
    return sum;
  });
}
