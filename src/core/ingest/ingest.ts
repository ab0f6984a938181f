import { deriveChanges, type ThreadRow } from '../attribution/derive';
import type { Db } from '../db/open';
import { type ContactResolver, contactResolver } from './contacts';
import type { NormalizedPayload } from './normalize';
import { type PayloadInput, type Prepared, preparePayload } from './prepare';

// Everything that brings webhook data in (receiver, importers, collector sync, demo, quarantine retry)
// goes through storePrepared, so exactly-once storage and derivation live in one place.

export type { PayloadInput } from './prepare';

export interface IngestResult {
  /** Payloads stored by this call. */
  payloads: number;
  /** Payloads whose canonical body was already stored (re-delivery, re-import): nothing changed. */
  duplicatePayloads: number;
  /** New inbound messages (business messages first seen through a status are stored too, not counted). */
  messages: number;
  statuses: number;
  /** Items that were not stored, with the reason (malformed or unknown shape). */
  rejected: { index: number; reason: string }[];
  /**
   * Items stored in part (split-delivery.ts): their unreadable part, to quarantine, with the reason.
   * Only for payloads new to this call (a re-delivery's part was quarantined the first time).
   */
  partial: { index: number; reason: string; body: string }[];
  /** raw_payloads.id per input (new or already stored), null for rejected items. */
  payloadIds: (number | null)[];
}

interface Statements {
  findRaw: import('better-sqlite3').Statement<[Uint8Array], { id: number }>;
  insRaw: import('better-sqlite3').Statement<unknown[], { id: number }>;
  insMessage: import('better-sqlite3').Statement<unknown[]>;
  upsertOut: import('better-sqlite3').Statement<unknown[]>;
  insStatus: import('better-sqlite3').Statement<unknown[]>;
  link: import('better-sqlite3').Statement<unknown[]>;
  insError: import('better-sqlite3').Statement<unknown[]>;
  upsertNumber: import('better-sqlite3').Statement<unknown[]>;
}

const cache = new WeakMap<Db, Statements>();

function statements(db: Db): Statements {
  let s = cache.get(db);
  if (s) return s;
  s = {
    findRaw: db.prepare('SELECT id FROM raw_payloads WHERE sha256 = ?'),
    // A known hash inserts nothing and returns no row: one statement for a new payload.
    insRaw: db.prepare(
      `INSERT INTO raw_payloads (sha256, received_at, origin, format, channel, body, size)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING RETURNING id`,
    ),
    insMessage: db.prepare(
      `INSERT INTO messages (id, phone_number_id, contact_id, direction, ts, type, text, button_payload, button_text,
         interactive_type, interactive_id, interactive_title, interactive_description, context_from, context_id,
         referral, referral_source_type, referral_source_id, has_errors, extra, raw_payload_id, group_id)
       VALUES (?, ?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO NOTHING`,
    ),
    // A business message is only known by its statuses (its content never comes back by webhook):
    // its time is the earliest status seen, whatever order they arrive in.
    upsertOut: db.prepare(
      `INSERT INTO messages (id, phone_number_id, contact_id, direction, ts, type, has_errors, raw_payload_id)
       VALUES (?, ?, ?, 'out', ?, 'outgoing', ?, ?)
       ON CONFLICT(id) DO UPDATE SET ts = excluded.ts
       WHERE messages.direction = 'out' AND excluded.ts < messages.ts`,
    ),
    insStatus: db.prepare(
      `INSERT INTO statuses (message_id, status, ts, phone_number_id, recipient_id, conversation_id, conversation_origin,
         conversation_expiration, pricing, errors, raw_payload_id, recipient_type, recipient_participant_id,
         recipient_participant_user_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    insError: db.prepare(
      `INSERT OR IGNORE INTO webhook_errors (raw_payload_id, idx, phone_number_id, code, title, message, details)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    link: db.prepare('INSERT OR IGNORE INTO raw_payload_contacts (contact_id, raw_payload_id) VALUES (?, ?)'),
    upsertNumber: db.prepare(
      `INSERT INTO business_numbers (phone_number_id, display_number, display_digits, waba_id, first_message_at, last_message_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(phone_number_id) DO UPDATE SET
         display_number = coalesce(excluded.display_number, display_number),
         display_digits = coalesce(excluded.display_digits, display_digits),
         waba_id = coalesce(excluded.waba_id, waba_id),
         first_message_at = CASE WHEN excluded.first_message_at IS NULL THEN first_message_at
           WHEN first_message_at IS NULL OR excluded.first_message_at < first_message_at THEN excluded.first_message_at
           ELSE first_message_at END,
         last_message_at = CASE WHEN excluded.last_message_at IS NULL THEN last_message_at
           WHEN last_message_at IS NULL OR excluded.last_message_at > last_message_at THEN excluded.last_message_at
           ELSE last_message_at END
       WHERE excluded.display_number IS NOT display_number AND excluded.display_number IS NOT NULL
          OR excluded.waba_id IS NOT waba_id AND excluded.waba_id IS NOT NULL
          OR excluded.first_message_at < coalesce(first_message_at, 1e18)
          OR excluded.last_message_at > coalesce(last_message_at, -1)`,
    ),
  };
  cache.set(db, s);
  return s;
}

interface NumberAgg {
  display: string | null;
  waba: string | null;
  first: number | null;
  last: number | null;
}

/**
 * Stores payloads exactly once and derives in the same transaction: a message once per id, a status
 * once per (id, status), contacts and business numbers upserted. Joins the caller's transaction when
 * there is one (better-sqlite3 nests as a savepoint), so a receiver can group many deliveries in one commit.
 */
export function ingestPayloads(db: Db, items: PayloadInput[]): IngestResult {
  return storePrepared(db, items.map(preparePayload));
}

/** ingestPayloads after preparePayload (which may have run on another thread); same guarantees. */
export function storePrepared(db: Db, items: Prepared[]): IngestResult {
  const st = statements(db);
  const run = db.transaction((): IngestResult => {
    const result: IngestResult = {
      payloads: 0,
      duplicatePayloads: 0,
      messages: 0,
      statuses: 0,
      rejected: [],
      partial: [],
      payloadIds: [],
    };
    const contacts = contactResolver(db);
    const numbers = new Map<string, NumberAgg>();
    const changed: Changed = { messageIds: [], inserted: [] };
    const now = Date.now();
    for (const [index, item] of items.entries()) {
      if (!item.ok) {
        result.rejected.push({ index, reason: item.reason });
        result.payloadIds.push(null);
        continue;
      }
      const p = item.payload;
      const rows = typeof p.rows === 'string' ? (JSON.parse(p.rows) as NormalizedPayload) : p.rows;
      const rawId = st.insRaw.get(
        p.hash,
        p.receivedAt ?? now,
        p.origin,
        rows.format,
        p.channel,
        p.body,
        p.size,
      )?.id;
      if (rawId === undefined) {
        // Same canonical body → same rows, already stored by the transaction that stored it.
        result.duplicatePayloads++;
        result.payloadIds.push(st.findRaw.get(p.hash)!.id);
        continue;
      }
      result.payloads++;
      result.payloadIds.push(rawId);
      if (p.invalid) result.partial.push({ index, ...p.invalid });
      storeRows(st, contacts, rows, rawId, numbers, changed, result);
    }
    for (const [id, n] of numbers) {
      st.upsertNumber.run(
        id,
        n.display,
        n.display ? n.display.replace(/\D+/g, '') || null : null,
        n.waba,
        n.first,
        n.last,
      );
    }
    const moved = new Set(contacts.movedMessageIds);
    deriveChanges(db, {
      messageIds: [...new Set([...changed.messageIds, ...moved])],
      // A merge re-filed some of them under another contact: those are read back as they now are.
      inserted: moved.size > 0 ? changed.inserted.filter((m) => !moved.has(m.id)) : changed.inserted,
      externalEventIds: [],
      outgoingIds: [],
    });
    return result;
  });
  return db.inTransaction ? run() : run.immediate();
}

/** Messages this transaction inserted or re-timed, and the inbound ones as stored (for derivation). */
interface Changed {
  messageIds: string[];
  inserted: ThreadRow[];
}

function storeRows(
  st: Statements,
  contacts: ContactResolver,
  p: NormalizedPayload,
  rawId: number,
  numbers: Map<string, NumberAgg>,
  changed: Changed,
  result: IngestResult,
): void {
  const touch = (
    phone: string,
    ts: number | null,
    display: string | null = null,
    waba: string | null = null,
  ) => {
    let n = numbers.get(phone);
    if (!n) {
      n = { display: null, waba: null, first: null, last: null };
      numbers.set(phone, n);
    }
    if (display) n.display = display;
    if (waba) n.waba = waba;
    if (ts !== null) {
      if (n.first === null || ts < n.first) n.first = ts;
      if (n.last === null || ts > n.last) n.last = ts;
    }
  };
  for (const b of p.numbers) touch(b.phoneNumberId, null, b.displayNumber, b.wabaId);
  const linked = new Set<string>();
  const link = (contactId: string) => {
    if (linked.has(contactId)) return;
    linked.add(contactId);
    st.link.run(contactId, rawId);
  };
  for (const c of p.contacts) {
    const id = contacts.resolve(c.waId, c.userId, c.name);
    if (id) link(id);
  }
  for (const m of p.messages) {
    const contactId = contacts.resolve(m.from, m.fromUserId, null);
    if (!contactId) continue; // the normalizer rejects senderless messages; kept for type safety
    link(contactId);
    touch(m.phoneNumberId, m.ts);
    const referral = m.referral ? JSON.stringify(m.referral) : null;
    const hasErrors = m.hasErrors ? 1 : 0;
    const r = st.insMessage.run(
      m.id,
      m.phoneNumberId,
      contactId,
      m.ts,
      m.type,
      m.text,
      m.buttonPayload,
      m.buttonText,
      m.interactiveType,
      m.interactiveId,
      m.interactiveTitle,
      m.interactiveDescription,
      m.contextFrom,
      m.contextId,
      referral,
      m.referralSourceType,
      m.referralSourceId,
      hasErrors,
      m.extra ? JSON.stringify(m.extra) : null,
      rawId,
      m.groupId,
    );
    if (r.changes > 0) {
      result.messages++;
      changed.messageIds.push(m.id);
      changed.inserted.push({
        id: m.id,
        phone_number_id: m.phoneNumberId,
        contact_id: contactId,
        direction: 'in',
        ts: m.ts,
        type: m.type,
        text: m.text,
        button_payload: m.buttonPayload,
        button_text: m.buttonText,
        interactive_type: m.interactiveType,
        interactive_id: m.interactiveId,
        interactive_title: m.interactiveTitle,
        context_id: m.contextId,
        referral,
        referral_source_type: m.referralSourceType,
        referral_source_id: m.referralSourceId,
        has_errors: hasErrors,
        group_id: m.groupId,
      });
    }
    // The contact moved to a new number: its history and attribution follow it (contacts.ts). Only when
    // first stored: a replayed change must not undo a later change back.
    if (m.changedNumber && r.changes > 0)
      contacts.changeNumber(contactId, m.changedNumber.waId, m.changedNumber.userId, m.ts);
  }
  for (const [i, e] of p.errors.entries())
    st.insError.run(rawId, i, e.phoneNumberId, e.code, e.title, e.message, e.details);
  for (const s of p.statuses) {
    // A group is no contact: its statuses are stored, its messages are no conversation (docs/metrics.md).
    const contactId = s.groupId === null ? contacts.resolve(s.recipientId, s.recipientUserId, null) : null;
    if (contactId) {
      link(contactId);
      touch(s.phoneNumberId, s.ts);
      // New or re-timed business message: derivation must (re)place it in its thread.
      if (
        st.upsertOut.run(s.messageId, s.phoneNumberId, contactId, s.ts, s.errors ? 1 : 0, rawId).changes > 0
      ) {
        changed.messageIds.push(s.messageId);
      }
    }
    const r = st.insStatus.run(
      s.messageId,
      s.status,
      s.ts,
      s.phoneNumberId,
      contactId ?? s.groupId ?? s.recipientId ?? (s.recipientUserId ? `bsuid:${s.recipientUserId}` : null),
      s.conversationId,
      s.conversationOrigin,
      s.conversationExpiration,
      s.pricing ? JSON.stringify(s.pricing) : null,
      s.errors ? JSON.stringify(s.errors) : null,
      rawId,
      s.groupId === null ? null : 'group',
      s.participantId,
      s.participantUserId,
    );
    if (r.changes > 0) result.statuses++;
  }
}
