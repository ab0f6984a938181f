import type { ConversionDataset, ConversionMapping, MetaEventName } from '../../shared/contract/conversions';
import { ApiError } from '../../shared/contract/errors';
import { AD_LEAD_LOG_SETTING } from '../attribution/engine/summaries';
import { activePrefix } from '../attribution/tables';
import type { Db } from '../db/open';
import { getSetting, setSetting } from '../db/settings';

// What a workspace sends to Meta: on/off, from when (the backfill), the test event code, the mapping of
// conversion events to Meta event names, and the dataset of each WhatsApp Business Account (migration 0010).

/** Also turns the engine's log of changed ad conversations on and off. */
const ENABLED = AD_LEAD_LOG_SETTING;
const SEND_FROM = 'capi.sendFrom';
const TEST_CODE = 'capi.testEventCode';

/** Meta refuses a request holding an event older than this (docs/conversions-api.md, "The 7-day limit"). */
export const MAX_AGE_SECONDS = 7 * 86_400;

export interface CapiSettings {
  enabled: boolean;
  /** Unix seconds: occurrences before it are never queued. null until first enabled. */
  sendFrom: number | null;
  testEventCode: string | null;
}

export function readCapiSettings(db: Db): CapiSettings {
  return {
    enabled: getSetting(db, ENABLED, false),
    sendFrom: getSetting<number | null>(db, SEND_FROM, null),
    testEventCode: getSetting<string | null>(db, TEST_CODE, null),
  };
}

/**
 * Turns sending on or off. The first time on sets sendFrom to 7 days before now, so the last 7 days'
 * conversions are queued (the backfill); turning it off and on again keeps the first sendFrom.
 */
export function writeCapiSettings(
  db: Db,
  change: { enabled?: boolean | undefined; testEventCode?: string | null | undefined },
  nowSeconds: number,
): void {
  if (change.enabled !== undefined) {
    setSetting(db, ENABLED, change.enabled);
    if (change.enabled && getSetting<number | null>(db, SEND_FROM, null) === null)
      setSetting(db, SEND_FROM, nowSeconds - MAX_AGE_SECONDS);
  }
  if (change.testEventCode !== undefined) setSetting(db, TEST_CODE, change.testEventCode);
}

interface MappingRow {
  event_key: string;
  meta_event: MetaEventName;
  with_value: number;
  rejected_at: number | null;
}

export interface Mapping {
  eventKey: string;
  metaEvent: MetaEventName;
  withValue: boolean;
}

export function readMappings(db: Db): Mapping[] {
  return (db.prepare('SELECT * FROM capi_mappings ORDER BY event_key').all() as MappingRow[]).map((r) => ({
    eventKey: r.event_key,
    metaEvent: r.meta_event,
    withValue: r.with_value === 1,
  }));
}

export function setMapping(db: Db, m: Mapping): void {
  db.prepare(
    `INSERT INTO capi_mappings (event_key, meta_event, with_value, rejected_at) VALUES (?, ?, ?, NULL)
     ON CONFLICT(event_key) DO UPDATE SET meta_event = excluded.meta_event, with_value = excluded.with_value, rejected_at = NULL`,
  ).run(m.eventKey, m.metaEvent, m.withValue ? 1 : 0);
}

export function removeMapping(db: Db, eventKey: string): void {
  const r = db.prepare('DELETE FROM capi_mappings WHERE event_key = ?').run(eventKey);
  if (r.changes === 0)
    throw new ApiError(
      'not_found',
      `${eventKey} is not sent to Meta: there is no mapping to remove`,
      'eventId',
    );
}

/** Meta answered "event name not accepted" (subcode 2804066) for this Meta name. */
export function flagRejectedName(db: Db, metaEvent: string, nowMs: number): void {
  db.prepare('UPDATE capi_mappings SET rejected_at = ? WHERE meta_event = ?').run(nowMs, metaEvent);
}

/** Labels of mapped events as the report shows them (the label is the id's text after the prefix). */
export function mappingsForDisplay(db: Db): ConversionMapping[] {
  return readMappings(db).map((m) => ({
    eventId: m.eventKey,
    label: m.eventKey.slice(m.eventKey.indexOf(':') + 1),
    metaEvent: m.metaEvent,
    value: m.withValue,
  }));
}

/**
 * The default mapping (issue: external events with revenue → Purchase with value; the messaging event with
 * the most leads → LeadSubmitted), from all-time derived data.
 */
export function suggestedMappings(db: Db): ConversionMapping[] {
  const p = activePrefix(db);
  const rows = db
    .prepare(
      `SELECT e.key, e.kind, e.label, coalesce(SUM(a.leads), 0) AS leads,
              EXISTS (SELECT 1 FROM ${p}rev_all r WHERE r.event = e.id) AS revenue
         FROM ${p}events e LEFT JOIN ${p}event_all a ON a.event = e.id
        GROUP BY e.id ORDER BY leads DESC, e.key`,
    )
    .all() as { key: string; kind: string; label: string; leads: number; revenue: number }[];
  const out: ConversionMapping[] = rows
    .filter((r) => r.kind === 'external' && r.revenue === 1)
    .map((r) => ({ eventId: r.key, label: r.label, metaEvent: 'Purchase', value: true }));
  const lead = rows.find((r) => r.kind !== 'external' && r.leads > 0);
  if (lead) out.push({ eventId: lead.key, label: lead.label, metaEvent: 'LeadSubmitted', value: false });
  return out;
}

/** The WABA of a number: from its Cloud API deliveries, else the one entered for it. */
export function wabaOf(db: Db, phoneNumberId: string): string | null {
  return (
    (db
      .prepare(
        `SELECT coalesce(b.waba_id, w.waba_id) FROM (SELECT ? AS id) n
           LEFT JOIN business_numbers b ON b.phone_number_id = n.id
           LEFT JOIN capi_number_wabas w ON w.phone_number_id = n.id`,
      )
      .pluck()
      .get(phoneNumberId) as string | null) ?? null
  );
}

export function setNumberWaba(db: Db, phoneNumberId: string, wabaId: string): void {
  db.prepare(
    `INSERT INTO capi_number_wabas (phone_number_id, waba_id) VALUES (?, ?)
     ON CONFLICT(phone_number_id) DO UPDATE SET waba_id = excluded.waba_id`,
  ).run(phoneNumberId, wabaId);
}

export function datasetOf(db: Db, wabaId: string): string | null {
  return (
    (db.prepare('SELECT dataset_id FROM capi_datasets WHERE waba_id = ?').pluck().get(wabaId) as
      | string
      | undefined) ?? null
  );
}

export function saveDataset(db: Db, wabaId: string, datasetId: string, nowMs: number): void {
  db.prepare(
    `INSERT INTO capi_datasets (waba_id, dataset_id, found_at) VALUES (?, ?, ?)
     ON CONFLICT(waba_id) DO UPDATE SET dataset_id = excluded.dataset_id, found_at = excluded.found_at`,
  ).run(wabaId, datasetId, nowMs);
}

/** Every business number with its WABA and that WABA's dataset. */
export function datasetsByNumber(db: Db): ConversionDataset[] {
  return db
    .prepare(
      `SELECT b.phone_number_id AS phoneNumberId, b.display_number AS displayNumber,
                coalesce(b.waba_id, w.waba_id) AS wabaId, d.dataset_id AS datasetId
           FROM business_numbers b
           LEFT JOIN capi_number_wabas w ON w.phone_number_id = b.phone_number_id
           LEFT JOIN capi_datasets d ON d.waba_id = coalesce(b.waba_id, w.waba_id)
          ORDER BY b.phone_number_id`,
    )
    .all() as ConversionDataset[];
}
