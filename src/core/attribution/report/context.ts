import type Database from 'better-sqlite3';
import { DateTime, IANAZone } from 'luxon';
import { ApiError } from '../../../shared/contract/errors';
import type {
  AttributionModel,
  AvailableEvent,
  EventKind,
  EventList,
  ReportEvent,
  ReportQuery,
} from '../../../shared/contract/report';
import type { Db } from '../../db/open';
import { cachedStatement } from '../../db/statements';
import { appIdAmong, appIdsOfNumber, type PhoneInfo } from '../business-numbers';
import { externalEventOf, parseEventKey } from '../classify';
import { type AttributionSettings, appliedConfig, readSettings } from '../config';
import { activePrefix, type Prefix } from '../tables';
import { type Aggregator, exactAggregator, type SourceAgg, summaryAggregator } from './aggregates';
import { allNumbersAggregator, phoneArg, phoneIn, reportNumbers } from './all-numbers';
import { type ModelTables, modelsAvailable, modelTables } from './models';
import { type ResolvedRange, resolveRange } from './range';
import { splitRevenue } from './sums';

const KIND_ORDER: EventKind[] = ['external', 'flow', 'button', 'list', 'text'];

// Checking a zone builds an Intl formatter; every report checks one.
const validZones = new Set<string>();

export function resolveTimezone(db: Db, tz: string | undefined): string {
  const zone = tz ?? readSettings(db).timezone;
  if (validZones.has(zone)) return zone;
  if (!IANAZone.isValidZone(zone))
    throw new ApiError('invalid_argument', `"${zone}" is not an IANA time zone`, 'timezone');
  validZones.add(zone);
  return zone;
}

export interface ReportOptions {
  now?: DateTime;
  /** Use the conversation-level path even when summaries match the timezone (tests compare both). */
  forceExact?: boolean;
  /** Which source the source rows count a conversation under (docs/metrics.md "Attribution models"). */
  model?: AttributionModel;
}

export class ReportContext {
  readonly p: Prefix;
  readonly settings: AttributionSettings;
  readonly phone: PhoneInfo;
  /** The numbers the report covers: the one named, or every number for All numbers (all-numbers.ts). */
  readonly phones: string[];
  readonly range: ResolvedRange;
  readonly summary: boolean;
  readonly model: AttributionModel;
  private readonly modelCols: ModelTables;
  private readonly eventIds = new Map<string, number | null>();
  private available: EventList | undefined;
  private readonly withRevenue = new Map<number, boolean>();
  private readonly unattributedOf = new Map<ResolvedRange, { sql: string; args: unknown[] }>();

  constructor(
    readonly db: Db,
    phone: string,
    rangeInput: ReportQuery['range'],
    timezone: string | undefined,
    readonly opts: ReportOptions = {},
  ) {
    this.p = activePrefix(db);
    this.settings = readSettings(db);
    ({ phone: this.phone, phones: this.phones } = reportNumbers(db, phone));
    const tz = resolveTimezone(db, timezone);
    this.range = resolveRange(rangeInput, tz, opts.now);
    this.summary = !opts.forceExact && tz === appliedConfig(db, false).timezone;
    this.model = opts.model ?? 'conversation';
    this.modelCols = modelTables(this.model);
    if (this.model !== 'conversation' && !modelsAvailable(db, this.p))
      throw new ApiError(
        'unavailable',
        'First touch and last paid touch are ready once the data has been re-derived (it runs in the background); until then the report counts by conversation',
        'model',
      );
  }

  /** A prepared statement, cached per connection. */
  q(sql: string): Database.Statement {
    return cachedStatement(this.db, sql);
  }

  aggregator(r: ResolvedRange = this.range): Aggregator {
    const of = (phone: string) =>
      this.summary
        ? summaryAggregator(this.db, this.p, phone, r, this.modelCols)
        : exactAggregator(this.db, this.p, phone, r, this.modelCols);
    return this.phones.length === 1
      ? of(this.phones[0]!)
      : allNumbersAggregator(this.db, this.p, this.phones, r, this.summary, of, this.modelCols);
  }

  /** SQL: `column` is one of the report's numbers; bind `phoneArg` to its `?`. */
  phoneIn(column: string): string {
    return phoneIn(this.phones, column);
  }

  get phoneArg(): string {
    return phoneArg(this.phones);
  }

  eventId(key: string): number | null {
    if (!this.eventIds.has(key)) {
      this.eventIds.set(
        key,
        (this.q(`SELECT id FROM ${this.p}events WHERE key = ?`).pluck().get(key) as number | undefined) ??
          null,
      );
    }
    return this.eventIds.get(key)!;
  }

  /**
   * Revenue is shown for an external event that carries it: one of its attributed occurrences on this
   * number has an amount (at any time). Otherwise Revenue and ROAS are undefined ("—"), not 0.
   */
  carriesRevenue(event: ReportEvent | null): boolean {
    if (event?.kind !== 'external') return false;
    const ev = this.eventId(event.id);
    if (ev === null) return false;
    let v = this.withRevenue.get(ev);
    if (v === undefined) {
      v =
        this.q(`SELECT 1 FROM ${this.p}rev_all WHERE ${this.phoneIn('phone')} AND event = ? LIMIT 1`).get(
          this.phoneArg,
          ev,
        ) !== undefined;
      this.withRevenue.set(ev, v);
    }
    return v;
  }

  /** Available events of a range in suggested order, and the suggested one (of the context's range: once). */
  availableEvents(r: ResolvedRange = this.range): EventList {
    if (r !== this.range) return this.computeAvailableEvents(r);
    this.available ??= this.computeAvailableEvents(r);
    return this.available;
  }

  private computeAvailableEvents(r: ResolvedRange): EventList {
    const counts = this.aggregator(r).available();
    const meta = new Map(
      (
        this.q(
          `SELECT id, key, kind, label FROM ${this.p}events WHERE id IN (SELECT value FROM json_each(?))`,
        ).all(JSON.stringify([...counts.keys()])) as {
          id: number;
          key: string;
          kind: EventKind;
          label: string;
        }[]
      ).map((e) => [e.id, e]),
    );
    const byKey = new Map<string, AvailableEvent>();
    for (const [id, c] of counts) {
      const e = meta.get(id);
      if (e)
        byKey.set(e.key, {
          id: e.key,
          kind: e.kind,
          label: e.label,
          leads: c.leads,
          occurrences: c.occurrences,
        });
    }
    for (const action of this.unattributedActions(r)) {
      const key = externalEventOf(action).key;
      if (!byKey.has(key))
        byKey.set(key, { id: key, kind: 'external', label: action, leads: 0, occurrences: 0 });
    }
    const events = [...byKey.values()].sort(
      (a, b) =>
        KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
        b.leads - a.leads ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    const withLead = events.find((e) => e.leads >= 1);
    return { events, suggested: withLead?.id ?? events[0]?.id ?? null };
  }

  /** Unattributed events of a range whose app_id is empty or names this number (numbersNamed's rule). */
  private unattributedWhere(r: ResolvedRange): { sql: string; args: unknown[] } {
    let w = this.unattributedOf.get(r);
    if (!w) {
      const inRange = 'x.conv IS NULL AND x.ts >= ? AND x.ts < ?';
      const appIds = this.q(
        `SELECT DISTINCT x.app_id FROM ${this.p}external x INDEXED BY ${this.p}external_unattributed WHERE ${inRange}`,
      )
        .pluck()
        .all(r.startTs, r.endTs) as (string | null)[];
      w = {
        sql: `${inRange} AND ${appIdAmong('x.app_id')}`,
        args: [r.startTs, r.endTs, appIdsOfNumber(this.db, this.phones, appIds)],
      };
      this.unattributedOf.set(r, w);
    }
    return w;
  }

  private unattributedActions(r: ResolvedRange): string[] {
    const w = this.unattributedWhere(r);
    return this.q(
      `SELECT DISTINCT x.action FROM ${this.p}external x INDEXED BY ${this.p}external_unattributed WHERE ${w.sql}`,
    )
      .pluck()
      .all(...w.args) as string[];
  }

  /** Distinct unattributed external events in the range: the selected action, or all when the event is not external. */
  unattributed(event: ReportEvent | null, r: ResolvedRange = this.range): number {
    const w = this.unattributedWhere(r);
    const byAction = event?.kind === 'external';
    return this.q(
      `SELECT COUNT(*) FROM ${this.p}external x INDEXED BY ${this.p}external_unattributed
       WHERE ${w.sql} ${byAction ? 'AND x.action = ?' : ''}`,
    )
      .pluck()
      .get(...w.args, ...(byAction ? [event.label] : [])) as number;
  }

  /**
   * The suggested event of the context's range (availableEvents' rule: the first kind in KIND_ORDER with an
   * event that has a lead, its event with the most leads, then the smallest id) from the leads of that
   * kind's few events, without counting every event of the range (a 12-month range reads a row per day and
   * event). A kind with many events (texts), or a range without any lead, is left to availableEvents.
   */
  private suggestedEvent(): string | null {
    if (this.available) return this.available.suggested;
    const MANY = 64;
    for (const kind of KIND_ORDER) {
      const events = this.q(`SELECT id, key FROM ${this.p}events WHERE kind = ? LIMIT ${MANY + 1}`)
        .raw()
        .all(kind) as [number, string][];
      if (events.length > MANY) break;
      if (events.length === 0) continue;
      const leads = this.aggregator().eventLeads(events.map(([id]) => id));
      let best: { key: string; leads: number } | null = null;
      for (const [id, key] of events) {
        const l = leads.get(id) ?? 0;
        if (l >= 1 && (!best || l > best.leads || (l === best.leads && key < best.key)))
          best = { key, leads: l };
      }
      if (best) return best.key;
    }
    return this.availableEvents().suggested;
  }

  /** The selected event: the requested one, else the suggested one. */
  selectEvent(requested: string | undefined): ReportEvent | null {
    const key = requested ?? this.suggestedEvent();
    if (key === null || key === undefined) return null;
    const info = parseEventKey(key);
    if (!info)
      throw new ApiError(
        'invalid_argument',
        `"${key}" is not an event id (ext:, button:, list: or text:)`,
        'event',
      );
    return { id: key, kind: info.kind, label: info.label };
  }

  /** Revenue of sums in the workspace currency and the others apart (null when the event carries none). */
  revenueOf(
    a: SourceAgg,
    event: ReportEvent | null,
  ): { revenue: number | null; revenueOther: Record<string, number> } {
    return splitRevenue(a.revenue, this.settings.currency, this.carriesRevenue(event));
  }

  /** The local date of the number's first conversation (any time), null when it has none. */
  firstConversationDate(): string | null {
    const ts = this.q(`SELECT MIN(start_ts) FROM ${this.p}conversations WHERE ${this.phoneIn('phone')}`)
      .pluck()
      .get(this.phoneArg) as number | null;
    return ts === null ? null : DateTime.fromSeconds(ts, { zone: this.range.timezone }).toISODate();
  }
}
