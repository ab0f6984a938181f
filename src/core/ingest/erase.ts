import { inflateSync } from 'node:zlib';
import type { EraseSummary } from '../../shared/contract/contacts';
import { ApiError } from '../../shared/contract/errors';
import { eraseDerivedForContact } from '../attribution/erase';
import { eraseOutboxContacts } from '../conversions/outbox';
import type { Db } from '../db/open';
import { bsuidOf, phoneDigits, waIdDigits } from './normalize';
import { deflateBody, sha256 } from './prepare';

// Right to erasure: one contact's data leaves every table, including the raw payloads (rewritten
// without the contact's entries, or deleted when nothing else is in them) and the quarantine. Each erase
// is logged as a hash of the contact id (sync_erasures), which collector sync carries to desktops.

type Json = Record<string, unknown>;

/** Removes the contact's contacts/messages/statuses from a payload (either format); counts what is left. */
export function stripContact(
  body: unknown,
  digits: string,
  userIds: Set<string>,
): { body: unknown; left: number; removed: number } {
  let left = 0;
  let removed = 0;
  const id = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);
  // A wa_id, from or recipient_id may be a BSUID (not a phone number): it is then one of their user ids.
  const isThem = (wa: unknown, uid: unknown) => {
    const w = id(wa);
    const u = id(uid);
    return (w !== null && (waIdDigits(w) === digits || userIds.has(w))) || (u !== null && userIds.has(u));
  };
  const filter = (v: Json, key: string, pick: (x: Json) => boolean) => {
    const list = v[key];
    if (!Array.isArray(list)) return;
    const kept = list.filter((x) => !(x && typeof x === 'object' && pick(x as Json)));
    removed += list.length - kept.length;
    left += kept.length;
    v[key] = kept;
  };
  const strip = (v: Json) => {
    filter(v, 'contacts', (c) => isThem(c.wa_id, c.user_id));
    filter(v, 'messages', (m) => isThem(m.from, m.from_user_id ?? m.user_id));
    filter(
      v,
      'statuses',
      (s) =>
        isThem(s.recipient_id, s.recipient_user_id) ||
        isThem(s.recipient_participant_id, s.recipient_participant_user_id),
    );
  };
  if (body && typeof body === 'object' && Array.isArray((body as Json).entry)) {
    for (const entry of (body as Json).entry as Json[]) {
      for (const change of Array.isArray(entry?.changes) ? (entry.changes as Json[]) : []) {
        if (change?.value && typeof change.value === 'object') strip(change.value as Json);
      }
    }
  } else if (body && typeof body === 'object') strip(body as Json);
  return { body, left, removed };
}

/** The contact id `erase` takes a phone number (or BSUID) for. */
export function erasedContactId(phone: string): string {
  // A bare BSUID ("US.1234") names the contact bsuid:US.1234, never the number 1234.
  const bsuid = phone.startsWith('bsuid:') ? phone.slice(6) : bsuidOf(phone);
  const contactId = bsuid ? `bsuid:${bsuid}` : phoneDigits(phone);
  if (!contactId) throw new ApiError('invalid_argument', `"${phone}" is not a phone number`, 'phone');
  return contactId;
}

/** What an erasure of `contactIds` has removed so far: nothing yet (SQLite here, PostgreSQL in pg/erase.ts). */
export function emptyEraseSummary(contactIds: string[]): EraseSummary {
  return {
    contactIds,
    messages: 0,
    statuses: 0,
    externalEvents: 0,
    outgoingMessages: 0,
    rawPayloadsDeleted: 0,
    rawPayloadsRewritten: 0,
    quarantine: 0,
    contacts: 0,
  };
}

export function eraseContact(db: Db, phone: string): EraseSummary {
  const contactId = erasedContactId(phone);
  return db
    .transaction((): EraseSummary => {
      const ids = new Set<string>([contactId]);
      const userIds = new Set<string>();
      for (const c of db.prepare('SELECT id, user_id FROM contacts WHERE id = ?').all(contactId) as {
        user_id: string | null;
      }[]) {
        if (c.user_id) {
          userIds.add(c.user_id);
          ids.add(`bsuid:${c.user_id}`);
        }
      }
      if (contactId.startsWith('bsuid:')) userIds.add(contactId.slice(6));
      const digits = contactId.startsWith('bsuid:') ? '\u0000' : contactId;
      const idList = [...ids];
      const marks = idList.map(() => '?').join(',');
      const sum = emptyEraseSummary(idList);

      const rawIds = db
        .prepare(
          `SELECT DISTINCT raw_payload_id AS id FROM raw_payload_contacts WHERE contact_id IN (${marks})`,
        )
        .all(...idList) as { id: number }[];
      const others = db.prepare(
        `SELECT count(*) AS n FROM raw_payload_contacts WHERE raw_payload_id = ? AND contact_id NOT IN (${marks})`,
      );
      const getRaw = db.prepare('SELECT body FROM raw_payloads WHERE id = ?');
      const delRaw = db.prepare('DELETE FROM raw_payloads WHERE id = ?');
      const shaTaken = db.prepare('SELECT 1 FROM raw_payloads WHERE sha256 = ? AND id <> ?');
      const updRaw = db.prepare('UPDATE raw_payloads SET body = ?, sha256 = ?, size = ? WHERE id = ?');
      for (const { id } of rawIds) {
        const row = getRaw.get(id) as { body: Buffer | null } | undefined;
        if (!row) continue;
        let text: string | null = null;
        if (row.body) {
          const stripped = stripContact(JSON.parse(inflateSync(row.body).toString('utf8')), digits, userIds);
          if (stripped.left > 0) text = JSON.stringify(stripped.body);
        } else if ((others.get(id, ...idList) as { n: number }).n > 0) {
          continue; // retention already dropped the content; other contacts' rows still point here
        }
        const sha = text === null ? null : sha256(text);
        if (text === null || !sha || shaTaken.get(sha, id)) {
          delRaw.run(id);
          sum.rawPayloadsDeleted++;
        } else {
          updRaw.run(deflateBody(text), sha, Buffer.byteLength(text), id);
          sum.rawPayloadsRewritten++;
        }
      }

      sum.statuses = db
        .prepare(
          `DELETE FROM statuses WHERE recipient_id IN (${marks})
             OR message_id IN (SELECT id FROM messages WHERE contact_id IN (${marks}))
             OR recipient_participant_id = ? OR recipient_participant_user_id IN (SELECT value FROM json_each(?))`,
        )
        .run(...idList, ...idList, digits, JSON.stringify([...userIds])).changes;
      sum.messages = db.prepare(`DELETE FROM messages WHERE contact_id IN (${marks})`).run(...idList).changes;
      sum.externalEvents = db
        .prepare(`DELETE FROM external_events WHERE contact_id IN (${marks})`)
        .run(...idList).changes;
      sum.outgoingMessages = db
        .prepare(`DELETE FROM outgoing_messages WHERE contact_id IN (${marks})`)
        .run(...idList).changes;
      // Conversations, occurrences, summaries: the attribution engine knows its own tables.
      for (const id of idList) eraseDerivedForContact(db, id);
      // What was to be sent to Meta for them: unsent entries withdrawn, click ids and contact dropped.
      eraseOutboxContacts(db, idList, Date.now());

      const names = namesContact(contactId, userIds);
      const doomed: number[] = [];
      for (const q of db.prepare('SELECT id, body FROM quarantine').iterate() as IterableIterator<{
        id: number;
        body: Buffer;
      }>)
        if (names(q.body)) doomed.push(q.id);
      const delQ = db.prepare('DELETE FROM quarantine WHERE id = ?');
      for (const id of doomed) sum.quarantine += delQ.run(id).changes;

      db.prepare(`DELETE FROM raw_payload_contacts WHERE contact_id IN (${marks})`).run(...idList);
      sum.contacts = db.prepare(`DELETE FROM contacts WHERE id IN (${marks})`).run(...idList).changes;
      // The numbers they changed from or to are theirs too.
      db.prepare(`DELETE FROM contact_number_changes WHERE old_id IN (${marks}) OR new_id IN (${marks})`).run(
        ...idList,
        ...idList,
      );
      const log = db.prepare('INSERT INTO sync_erasures (contact_hash, erased_at) VALUES (?, ?)');
      for (const id of idList) log.run(erasureHash(id), Date.now());
      return sum;
    })
    .immediate();
}

/**
 * Whether a quarantined body names the contact. Quarantined bodies are unreadable by definition: the
 * number is matched as text (not inside a longer one, and as digits, since numbers in JSON may be written
 * with "+" or spaces), the user ids literally.
 */
export function namesContact(contactId: string, userIds: Set<string>): (body: Buffer) => boolean {
  const isNumber = !contactId.startsWith('bsuid:');
  const needles = [...userIds].map(escapeRe);
  if (isNumber) needles.push(`(?<!\\d)${contactId}(?!\\d)`);
  const re = needles.length > 0 ? new RegExp(needles.join('|')) : null;
  return (body) => {
    const text = body.toString('utf8');
    return (re?.test(text) ?? false) || (isNumber && digitRuns(text).has(contactId));
  };
}

/** What the erasure log keeps of a contact id: its sha256, so the log does not list the numbers. */
export function erasureHash(contactId: string): Buffer {
  return sha256(contactId);
}

/**
 * Erases every local contact whose id hashes to one of `hashes` (hex): erasures synced from a
 * collector. Returns the contact ids erased. Ids are looked for wherever a contact can be known
 * (ingestion upserts the contact of every message and status; events and sends may name others).
 */
export function eraseHashed(db: Db, hashes: readonly string[]): string[] {
  const wanted = new Set(hashes);
  const ids = db
    .prepare(
      `SELECT id FROM contacts UNION SELECT contact_id FROM external_events
       UNION SELECT contact_id FROM outgoing_messages WHERE contact_id IS NOT NULL`,
    )
    .pluck()
    .all() as string[];
  const erased = ids.filter((id) => wanted.has(erasureHash(id).toString('hex')));
  for (const id of erased) eraseContact(db, id);
  return erased;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** "+49 151 2345-678" style numbers in free text, as digit strings. */
function digitRuns(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/\+?\d[\d\s\-().]{5,25}\d/g)) out.add(m[0].replace(/\D+/g, ''));
  return out;
}
