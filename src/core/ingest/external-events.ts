import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { ApiError } from '../../shared/contract/errors';
import { deriveChanges } from '../attribution/derive';
import type { Db } from '../db/open';
import { currentContactId } from './contacts';
import { phoneDigits } from './normalize';
import { implausibleTime, toUnixSeconds } from './plausible-time';

const MAX_REVENUE = 1e12;

// External (Off-Thread) events in 360dialog's format (https://docs.360dialog.com/docs/insights/insights/off-thread-events), shared by
// POST /clients/{client_id}/external-events, the CSV importer and collector sync.

export interface ExternalEventInput {
  action: string;
  /** lead_phone as digits. */
  contactId: string;
  /** unix seconds, or null: the time a receiver first stored it. */
  ts: number | null;
  revenueAmount: number | null;
  revenueCurrency: string | null;
  appId: string | null;
  previousExternalEventId: string | null;
  eventId: string | null;
}

export interface StoreEventOptions {
  origin: 'webhook' | 'import' | 'sync' | 'demo';
  clientId?: string | null;
  /** unix ms when a receiver first stored it (carried through sync); default now. */
  receivedAt?: number;
  /** Our external_event_id when it is already known (collector sync); default a new one. */
  id?: string;
}

let currencies: Set<string> | undefined;
/** ISO 4217 codes as the runtime's ICU knows them (Node 20: Intl.supportedValuesOf). */
export function isCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code);
}

const bad = (field: string, message: string) =>
  new ApiError('invalid_argument', `${field}: ${message}`, field);

function optString(v: unknown, field: string, max = 200): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') throw bad(field, 'expected a string');
  if (v.length > max) throw bad(field, `longer than ${max} characters`);
  return v.trim() || null;
}

/** Unix seconds from ISO 8601 with an offset, or Unix seconds (number or digits). */
export function parseEventTime(v: unknown, field: string): number | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'number' || (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()))) {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw bad(field, 'expected Unix seconds or ISO 8601 with an offset');
    return inWindow(toUnixSeconds(n), field);
  }
  if (typeof v !== 'string') throw bad(field, 'expected Unix seconds or ISO 8601 with an offset');
  const s = v.trim();
  // A local time without an offset is ambiguous (whose midnight?): refuse rather than guess.
  if (!/(Z|[+-]\d{2}(:?\d{2})?)$/i.test(s) || !/T|\s/.test(s)) {
    throw bad(field, `"${s}" has no UTC offset; use e.g. 2026-11-20T10:00:00Z or +01:00, or Unix seconds`);
  }
  const dt = DateTime.fromISO(s.replace(' ', 'T'), { setZone: true });
  if (!dt.isValid) throw bad(field, `"${s}" is not an ISO 8601 time`);
  return inWindow(Math.floor(dt.toSeconds()), field);
}

function inWindow(ts: number, field: string): number {
  const why = implausibleTime(ts);
  if (why) throw bad(field, why);
  return ts;
}

/**
 * Validates one event as 360dialog's `external_event` object (or a CSV row mapped to it).
 * Throws ApiError('invalid_argument', …, field) naming the first bad field.
 */
export function parseExternalEvent(raw: unknown, prefix = 'external_event'): ExternalEventInput {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(prefix, 'expected an object');
  const e = raw as Record<string, unknown>;
  const action = optString(e.action, `${prefix}.action`);
  if (!action) throw bad(`${prefix}.action`, 'missing');
  const phoneRaw = e.lead_phone;
  if (phoneRaw === undefined || phoneRaw === null || phoneRaw === '')
    throw bad(`${prefix}.lead_phone`, 'missing');
  if (typeof phoneRaw !== 'string' && typeof phoneRaw !== 'number')
    throw bad(`${prefix}.lead_phone`, 'expected a phone number');
  const phoneText = String(phoneRaw);
  if (!/^[+\d\s\-().]+$/.test(phoneText))
    throw bad(`${prefix}.lead_phone`, `"${phoneText}" is not a phone number`);
  const contactId = phoneDigits(phoneText);
  if (!contactId || contactId.length < 6 || contactId.length > 20) {
    throw bad(`${prefix}.lead_phone`, `"${phoneText}" is not a phone number`);
  }
  let revenueAmount: number | null = null;
  let revenueCurrency: string | null = null;
  if (e.revenue !== undefined && e.revenue !== null) {
    if (typeof e.revenue !== 'object' || Array.isArray(e.revenue))
      throw bad(`${prefix}.revenue`, 'expected an object');
    const r = e.revenue as Record<string, unknown>;
    const amount = r.amount;
    if (amount !== undefined && amount !== null && amount !== '') {
      const n =
        typeof amount === 'number' ? amount : typeof amount === 'string' ? Number(amount.trim()) : Number.NaN;
      if (!Number.isFinite(n)) throw bad(`${prefix}.revenue.amount`, 'expected a number');
      if (n < 0) throw bad(`${prefix}.revenue.amount`, 'must not be negative');
      // Sums of amounts must stay exact and finite in every report (a float holds 15 digits).
      if (n > MAX_REVENUE) throw bad(`${prefix}.revenue.amount`, 'larger than 1,000,000,000,000');
      revenueAmount = n;
    }
    const currency = r.currency;
    if (currency !== undefined && currency !== null && currency !== '') {
      if (typeof currency !== 'string') throw bad(`${prefix}.revenue.currency`, 'expected an ISO 4217 code');
      const code = currency.trim().toUpperCase();
      if (!/^[A-Z]{3}$/.test(code) || !isCurrency(code))
        throw bad(`${prefix}.revenue.currency`, `unknown currency "${currency}"`);
      revenueCurrency = code;
    }
    // A missing currency means USD, as at 360dialog.
    if (revenueAmount !== null && revenueCurrency === null) revenueCurrency = 'USD';
  }
  return {
    action,
    contactId,
    ts: parseEventTime(e.timestamp, `${prefix}.timestamp`),
    revenueAmount,
    revenueCurrency,
    appId: optString(e.app_id, `${prefix}.app_id`),
    previousExternalEventId: optString(e.previous_external_event_id, `${prefix}.previous_external_event_id`),
    eventId: optString(e.event_id, `${prefix}.event_id`),
  };
}

export interface StoredEvent {
  id: string;
  duplicate: boolean;
}

/**
 * Stores events once per event_id (the sender's id or Idempotency-Key): a retried one returns the
 * first one's id and stores nothing. Derives in the same transaction.
 */
export function storeExternalEvents(
  db: Db,
  events: { event: ExternalEventInput; options: StoreEventOptions }[],
): StoredEvent[] {
  const find = db.prepare<[string], { id: string }>('SELECT id FROM external_events WHERE event_id = ?');
  const findId = db.prepare<[string], { id: string }>('SELECT id FROM external_events WHERE id = ?');
  const insert = db.prepare(
    `INSERT INTO external_events (id, event_id, client_id, action, contact_id, ts, revenue_amount, revenue_currency, app_id,
       previous_external_event_id, received_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const run = db.transaction(() => {
    const out: StoredEvent[] = [];
    const ids: string[] = [];
    for (const { event: e, options: o } of events) {
      const existing = (e.eventId ? find.get(e.eventId) : undefined) ?? (o.id ? findId.get(o.id) : undefined);
      if (existing) {
        out.push({ id: existing.id, duplicate: true });
        continue;
      }
      const receivedAt = o.receivedAt ?? Date.now();
      const id = o.id ?? `ee_${randomUUID()}`;
      insert.run(
        id,
        e.eventId,
        o.clientId ?? null,
        e.action,
        // A lead who changed number (user_changed_number) is attributed under the number they use now.
        currentContactId(db, e.contactId),
        e.ts ?? Math.floor(receivedAt / 1000),
        e.revenueAmount,
        e.revenueCurrency,
        e.appId,
        e.previousExternalEventId,
        receivedAt,
        o.origin,
      );
      ids.push(id);
      out.push({ id, duplicate: false });
    }
    if (ids.length > 0) deriveChanges(db, { messageIds: [], externalEventIds: ids, outgoingIds: [] });
    return out;
  });
  return db.inTransaction ? run() : run.immediate();
}
