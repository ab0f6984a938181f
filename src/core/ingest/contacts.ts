import type { Statement } from 'better-sqlite3';
import { eraseDerivedForContact } from '../attribution/erase';
import type { Db } from '../db/open';

// Contact keys: wa_id digits, or `bsuid:<user_id>` when only a business-scoped user id is known
// (BSUIDs roll out in 2026; users may hide their number — https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components). A user_id once
// seen together with a wa_id maps to that wa_id from then on; rows filed under `bsuid:<user_id>`
// before the number was known move to the wa_id contact. Likewise a contact who changed number
// (`user_changed_number`) moves to the new number, and the old number keeps pointing there.

export interface ContactResolver {
  /** Upserts the contact and returns its id; null when neither a wa_id nor a user_id is given. */
  resolve(waId: string | null, userId: string | null, name: string | null): string | null;
  /**
   * The contact `from` changed number to `waId` (a `user_changed_number` system message at `ts`): everything
   * filed under `from` moves to that number's contact, and what arrives later for `from` (a late delivery,
   * an external event) goes there too.
   */
  changeNumber(from: string, waId: string, userId: string | null, ts: number): void;
  /** Messages whose contact changed by a merge: derivation must re-thread them. */
  readonly movedMessageIds: string[];
}

const prepared = new WeakMap<
  Db,
  {
    byUser: Statement<[string], { id: string }>;
    upsert: Statement<unknown[]>;
    renumbered: Statement<[string], { new_id: string }>;
  }
>();

function statements(db: Db) {
  let s = prepared.get(db);
  if (!s) {
    s = {
      byUser: db.prepare<[string], { id: string }>('SELECT id FROM contacts WHERE user_id = ?'),
      renumbered: db.prepare<[string], { new_id: string }>(
        'SELECT new_id FROM contact_number_changes WHERE old_id = ?',
      ),
      upsert: db.prepare(
        `INSERT INTO contacts (id, name, user_id, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = coalesce(excluded.name, name), user_id = coalesce(excluded.user_id, user_id),
           updated_at = excluded.updated_at
         WHERE excluded.name IS NOT NULL AND excluded.name IS NOT contacts.name
            OR excluded.user_id IS NOT NULL AND excluded.user_id IS NOT contacts.user_id`,
      ),
    };
    prepared.set(db, s);
  }
  return s;
}

/** The contact a number belongs to now: itself, or the number it changed to (and so on). */
export function currentContactId(db: Db, id: string): string {
  const { renumbered } = statements(db);
  let cur = id;
  // Changes form no cycle (renumber drops the reverse mapping); the bound only guards a damaged table.
  for (let hops = 0; hops < 16; hops++) {
    const next = renumbered.get(cur)?.new_id;
    if (next === undefined || next === cur) break;
    cur = next;
  }
  return cur;
}

/** A resolver for one transaction (it remembers the contacts it already upserted). */
export function contactResolver(db: Db): ContactResolver {
  const { byUser, upsert } = statements(db);
  const seen = new Map<string, string>();
  const movedMessageIds: string[] = [];

  const merge = (from: string, to: string) => {
    // The old contact's conversations go; its messages are re-derived in the wa_id contact's thread.
    eraseDerivedForContact(db, from);
    const moved = db
      .prepare('UPDATE messages SET contact_id = ? WHERE contact_id = ? RETURNING id')
      .all(to, from) as { id: string }[];
    movedMessageIds.push(...moved.map((m) => m.id));
    db.prepare('UPDATE external_events SET contact_id = ? WHERE contact_id = ?').run(to, from);
    db.prepare('UPDATE outgoing_messages SET contact_id = ? WHERE contact_id = ?').run(to, from);
    db.prepare('UPDATE statuses SET recipient_id = ? WHERE recipient_id = ?').run(to, from);
    db.prepare('UPDATE OR IGNORE raw_payload_contacts SET contact_id = ? WHERE contact_id = ?').run(to, from);
    db.prepare('DELETE FROM raw_payload_contacts WHERE contact_id = ?').run(from);
    db.prepare('DELETE FROM contacts WHERE id = ?').run(from);
  };

  return {
    movedMessageIds,
    changeNumber(from, waId, userId, ts) {
      // A number someone moves to is theirs (again): drop a mapping that pointed it elsewhere.
      if (db.prepare('DELETE FROM contact_number_changes WHERE old_id = ?').run(waId).changes > 0)
        for (const k of [...seen.keys()]) if (k.startsWith(`${waId}\u0000`)) seen.delete(k);
      const to = this.resolve(waId, userId, null);
      if (!to || to === from) return;
      db.prepare(
        `INSERT INTO contact_number_changes (old_id, new_id, ts) VALUES (?, ?, ?)
         ON CONFLICT(old_id) DO UPDATE SET new_id = excluded.new_id, ts = excluded.ts`,
      ).run(from, to, ts);
      merge(from, to);
      for (const [k, v] of seen) if (v === from) seen.set(k, to);
    },
    resolve(waId, userId, name) {
      const key = `${waId ?? ''}\u0000${userId ?? ''}\u0000${name ?? ''}`;
      // A nameless mention (a message's sender) of a contact already upserted in this transaction.
      const hit =
        seen.get(key) ?? (name === null ? seen.get(`${waId ?? ''}\u0000${userId ?? ''}`) : undefined);
      if (hit) return hit;
      let id: string;
      if (waId) {
        id = currentContactId(db, waId);
        if (userId) {
          const prev = byUser.get(userId)?.id;
          if (prev && prev !== id) {
            if (prev.startsWith('bsuid:')) merge(prev, id);
            // The user id now belongs to another number (the user changed numbers): re-point it.
            else db.prepare('UPDATE contacts SET user_id = NULL WHERE id = ?').run(prev);
          }
        }
      } else if (userId) {
        id = byUser.get(userId)?.id ?? `bsuid:${userId}`;
      } else return null;
      upsert.run(id, name, userId, Date.now());
      seen.set(key, id);
      seen.set(`${waId ?? ''}\u0000${userId ?? ''}`, id);
      return id;
    },
  };
}
