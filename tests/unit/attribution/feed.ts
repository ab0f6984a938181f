import path from 'node:path';
import { DateTime } from 'luxon';
import { deriveChanges } from '../../../src/core/attribution/derive';
import type { ReportOptions } from '../../../src/core/attribution/report/context';
import { buildReport, listEvents } from '../../../src/core/attribution/report/report';
import { type Db, openDatabase } from '../../../src/core/db/open';
import { setSetting } from '../../../src/core/db/settings';
import type { ReportQuery } from '../../../src/shared/contract/report';
import { tempDir } from '../../helpers/core';

// Feeds rows into the 0001 raw tables and derives them in the same transaction, exactly as ingestion does.

export const PHONE = '1000000001';
export const PHONE2 = '1000000002';
export const TZ = 'Europe/Berlin';

export function makeDb(settings: Record<string, unknown> = {}): Db {
  return seed(openDatabase(path.join(tempDir('insights-attr-'), 'ws.sqlite')), settings);
}

/** Two business numbers and the test timezone (plus any settings) in a fresh workspace database. */
export function seed(db: Db, settings: Record<string, unknown> = {}): Db {
  db.prepare(
    "INSERT INTO business_numbers (phone_number_id, display_number, display_digits, name) VALUES (?, '+1 555 000 1111', '15550001111', 'Main'), (?, '+1 555 000 2222', '15550002222', 'Second')",
  ).run(PHONE, PHONE2);
  setSetting(db, 'timezone', TZ);
  for (const [k, v] of Object.entries(settings)) setSetting(db, k, v);
  return db;
}

export interface Msg {
  id: string;
  ts: number | string;
  phone?: string;
  contact?: string;
  direction?: 'in' | 'out';
  type?: string;
  text?: string;
  button?: { text: string; payload?: string };
  interactive?: { type: 'button_reply' | 'list_reply' | 'nfm_reply'; id: string; title: string };
  contextId?: string;
  referral?: {
    source_type?: string;
    source_id: string;
    headline?: string;
    source_url?: string;
    ctwa_clid?: string;
  };
  hasErrors?: boolean;
  groupId?: string;
}

export interface Ext {
  id: string;
  action: string;
  ts: number | string;
  contact?: string;
  eventId?: string;
  amount?: number;
  currency?: string;
  appId?: string;
  previous?: string;
}

export interface Out {
  id: string;
  template?: string;
  phone?: string;
  contact?: string;
}

/** Unix seconds of a local time in TZ ('2026-03-01 10:00') or a number as is. */
export function t(v: number | string): number {
  if (typeof v === 'number') return v;
  return Math.round(
    DateTime.fromFormat(v, v.length > 16 ? 'yyyy-MM-dd HH:mm:ss' : 'yyyy-MM-dd HH:mm', {
      zone: TZ,
    }).toSeconds(),
  );
}

export function feed(db: Db, data: { messages?: Msg[]; events?: Ext[]; outgoing?: Out[] }): void {
  const insMsg = db.prepare(
    `INSERT INTO messages (id, phone_number_id, contact_id, direction, ts, type, text, button_payload, button_text,
       interactive_type, interactive_id, interactive_title, context_id, referral, referral_source_type, referral_source_id, has_errors, group_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insContact = db.prepare('INSERT OR IGNORE INTO contacts (id, name, updated_at) VALUES (?, ?, 0)');
  const insExt = db.prepare(
    `INSERT INTO external_events (id, event_id, action, contact_id, ts, revenue_amount, revenue_currency, app_id, previous_external_event_id, received_at, origin)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'test')`,
  );
  const insOut = db.prepare(
    "INSERT INTO outgoing_messages (id, phone_number_id, contact_id, template_name, origin) VALUES (?, ?, ?, ?, 'send-log')",
  );
  db.transaction(() => {
    for (const m of data.messages ?? []) {
      const contact = m.contact ?? 'c1';
      insContact.run(contact, `Name ${contact}`);
      const type = m.type ?? (m.button ? 'button' : m.interactive ? 'interactive' : 'text');
      insMsg.run(
        m.id,
        m.phone ?? PHONE,
        contact,
        m.direction ?? 'in',
        t(m.ts),
        type,
        m.text ?? m.button?.text ?? m.interactive?.title ?? null,
        m.button?.payload ?? null,
        m.button?.text ?? null,
        m.interactive?.type ?? null,
        m.interactive?.id ?? null,
        m.interactive?.title ?? null,
        m.contextId ?? null,
        m.referral ? JSON.stringify(m.referral) : null,
        m.referral ? (m.referral.source_type ?? 'ad') : null,
        m.referral?.source_id ?? null,
        m.hasErrors ? 1 : 0,
        m.groupId ?? null,
      );
    }
    for (const e of data.events ?? []) {
      insExt.run(
        e.id,
        e.eventId ?? null,
        e.action,
        e.contact ?? 'c1',
        t(e.ts),
        e.amount ?? null,
        e.currency ?? null,
        e.appId ?? null,
        e.previous ?? null,
      );
    }
    for (const o of data.outgoing ?? [])
      insOut.run(o.id, o.phone ?? PHONE, o.contact ?? 'c1', o.template ?? null);
    deriveChanges(db, {
      messageIds: (data.messages ?? []).map((m) => m.id),
      externalEventIds: (data.events ?? []).map((e) => e.id),
      outgoingIds: (data.outgoing ?? []).map((o) => o.id),
    });
  })();
}

export const NOW = DateTime.fromISO('2026-03-31T12:00:00', { zone: TZ });

export function report(db: Db, q: Partial<ReportQuery> = {}, opts: ReportOptions = {}) {
  return buildReport(
    db,
    { phone: PHONE, range: { from: '2026-03-01', to: '2026-03-31' }, ...q },
    { now: NOW, ...opts },
  );
}

export function events(db: Db, q: Partial<Parameters<typeof listEvents>[1]> = {}) {
  return listEvents(
    db,
    { phone: PHONE, range: { from: '2026-03-01', to: '2026-03-31' }, ...q },
    { now: NOW },
  );
}

/** Conversations of the active set, for assertions. */
export function conversations(
  db: Db,
): { first: string; start: number; source: string; contact: string; phone: string }[] {
  return db
    .prepare(
      'SELECT c.first_message_id AS first, c.start_ts AS start, s.key AS source, c.contact, c.phone FROM attr_conversations c JOIN attr_sources s ON s.id = c.source ORDER BY c.phone, c.contact, c.start_ts',
    )
    .all() as { first: string; start: number; source: string; contact: string; phone: string }[];
}
