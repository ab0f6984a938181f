import { deriveChanges } from '../attribution/derive';
import type { Db } from '../db/open';

// Messages the business sent: their content never comes back by webhook (https://docs.360dialog.com/docs/messaging-api/api-reference/webhooks),
// so a send log (or the send proxy) records id, template and buttons to name outgoing sources.

export interface OutgoingInput {
  id: string;
  phoneNumberId: string | null;
  /** Recipient as wa_id digits. */
  contactId: string | null;
  templateName: string | null;
  /** unix seconds */
  sentAt: number | null;
  buttons: { title: string; id: string | null }[];
  origin: 'send-proxy' | 'send-log' | 'demo';
}

/**
 * Inserts or completes outgoing messages; a row that already says the same changes nothing (so a
 * re-imported send log is a no-op). Derives the changed ids in the same transaction.
 */
export function storeOutgoingMessages(
  db: Db,
  rows: OutgoingInput[],
): { inserted: number; updated: number; unchanged: number } {
  const exists = db.prepare<[string], { id: string }>('SELECT id FROM outgoing_messages WHERE id = ?');
  const upsert = db.prepare(
    `INSERT INTO outgoing_messages (id, phone_number_id, contact_id, template_name, sent_at, buttons, origin)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET
       phone_number_id = coalesce(excluded.phone_number_id, phone_number_id),
       contact_id = coalesce(excluded.contact_id, contact_id),
       template_name = coalesce(excluded.template_name, template_name),
       sent_at = coalesce(excluded.sent_at, sent_at),
       buttons = CASE WHEN excluded.buttons = '[]' THEN buttons ELSE excluded.buttons END
     WHERE excluded.phone_number_id IS NOT NULL AND excluded.phone_number_id IS NOT phone_number_id
        OR excluded.contact_id IS NOT NULL AND excluded.contact_id IS NOT contact_id
        OR excluded.template_name IS NOT NULL AND excluded.template_name IS NOT template_name
        OR excluded.sent_at IS NOT NULL AND excluded.sent_at IS NOT sent_at
        OR excluded.buttons <> '[]' AND excluded.buttons IS NOT buttons`,
  );
  const run = db.transaction(() => {
    const counts = { inserted: 0, updated: 0, unchanged: 0 };
    const changed: string[] = [];
    for (const r of rows) {
      const had = exists.get(r.id) !== undefined;
      const res = upsert.run(
        r.id,
        r.phoneNumberId,
        r.contactId,
        r.templateName,
        r.sentAt,
        JSON.stringify(r.buttons),
        r.origin,
      );
      if (res.changes === 0) counts.unchanged++;
      else {
        changed.push(r.id);
        if (had) counts.updated++;
        else counts.inserted++;
      }
    }
    if (changed.length > 0) deriveChanges(db, { messageIds: [], externalEventIds: [], outgoingIds: changed });
    return counts;
  });
  return db.inTransaction ? run() : run.immediate();
}
