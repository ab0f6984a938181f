import type Database from 'better-sqlite3';
import { DateTime, IANAZone } from 'luxon';
import { ApiError } from '../../../shared/contract/errors';
import type {
  AvailableEvent,
  Comparison,
  DashboardQuery,
  EventKind,
  EventList,
  FunnelStep,
  PaidTotals,
  Report,
  ReportEvent,
  ReportQuery,
  SourceKind,
  SourceRow,
  Totals,
} from '../../../shared/contract/report';
import { ratesOf, shareOf } from '../../../shared/rates';
import { parseSourceKey, ROLLUP_KEY, restOf } from '../../../shared/source-keys';
import type { Db } from '../../db/open';
import { cachedStatement } from '../../db/statements';
import { templateNameForReply } from '../../dialog360/templates';
import { appIdAmong, appIdsOfNumber, type PhoneInfo, resolvePhone } from '../business-numbers';
import { externalEventOf, parseEventKey } from '../classify';
import { type AttributionSettings, appliedConfig, readSettings } from '../config';
import { dateOfDay } from '../days';
import { MICRO } from '../engine';
import { activePrefix, type Prefix } from '../tables';
import { adDisplayName, type SpendSummary } from './ad-platform';
import { adOfKey, adPlatforms, detailsOfKeys, linkedAdKeys, spendOfKeys } from './ad-platforms';
import {
  type Aggregator,
  exactAggregator,
  type SourceAgg,
  type SourceInfo,
  summaryAggregator,
} from './aggregates';
import { computeInvested, type Invested, type ManualEntry, manualEntries } from './invested';
import { bucketsOf, previousRange, type ResolvedRange, resolveRange, todayDay } from './range';

export const ROLLUP_ID = ROLLUP_KEY;
export const ROLLUP_NAME = 'Other first messages';
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
}

/** Source keys with an Invested figure in a range, the spend of their ads and the manual entries. */
interface InvestedRows {
  keys: string[];
  spend: Map<string, SpendSummary>;
  manual: Map<string, ManualEntry[]>;
}

/** A first-message source folded into the rollup row. */
interface Folded {
  key: string;
  id: number | null;
  name: string;
  agg: SourceAgg;
  inv: Invested | undefined;
}

/** One number, range and timezone: the parts of the report, each computable on its own (the benchmark times them). */
export class ReportContext {
  readonly p: Prefix;
  readonly settings: AttributionSettings;
  readonly phone: PhoneInfo;
  readonly range: ResolvedRange;
  readonly summary: boolean;
  private readonly eventIds = new Map<string, number | null>();
  private available: EventList | undefined;
  /** Invested of every source row per range (`from|to`), so totals need not compute it again. */
  private readonly rowInvested = new Map<string, Map<string, Invested>>();
  /** Per range, the sums over the sources (folded ones included) that have an Invested amount. */
  private readonly paidSums = new Map<string, { sources: number; agg: SourceAgg; invested: Invested }>();
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
    this.phone = resolvePhone(db, phone);
    const tz = resolveTimezone(db, timezone);
    this.range = resolveRange(rangeInput, tz, opts.now);
    this.summary = !opts.forceExact && tz === appliedConfig(db, false).timezone;
  }

  /** A prepared statement, cached per connection. */
  q(sql: string): Database.Statement {
    return cachedStatement(this.db, sql);
  }

  aggregator(r: ResolvedRange = this.range): Aggregator {
    return this.summary
      ? summaryAggregator(this.db, this.p, this.phone.id, r)
      : exactAggregator(this.db, this.p, this.phone.id, r);
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
        this.q(`SELECT 1 FROM ${this.p}rev_all WHERE phone = ? AND event = ? LIMIT 1`).get(
          this.phone.id,
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
        args: [r.startTs, r.endTs, appIdsOfNumber(this.db, this.phone.id, appIds)],
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

  /** The selected event: the requested one, else the suggested one. */
  selectEvent(requested: string | undefined): ReportEvent | null {
    const key = requested ?? this.availableEvents().suggested;
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

  /** Source rows' info by key, in one statement; a key never derived (an ad with spend only) has just its rename. */
  private sourceInfos(keys: string[]): Map<string, { id: number | null; info: SourceInfo }> {
    const rows = this.q(
      `SELECT j.value AS key, s.id, s.kind, s.name, nm.name AS rename FROM json_each(?) j
       LEFT JOIN ${this.p}sources s ON s.key = j.value LEFT JOIN attr_source_names nm ON nm.source_key = j.value`,
    ).all(JSON.stringify(keys)) as (SourceInfo & { id: number | null })[];
    return new Map(
      rows.map(({ id, key, kind, name, rename }) => [
        key,
        {
          id,
          info: { key, kind: kind ?? adOfKey(key)?.platform.kind ?? 'first_message', name, rename },
        },
      ]),
    );
  }

  private sourceIdOfKey(key: string): number | null {
    return (
      (this.q(`SELECT id FROM ${this.p}sources WHERE key = ?`).pluck().get(key) as number | undefined) ?? null
    );
  }

  /**
   * Source keys with an Invested figure that are rows of the range (ads with conversations, linked ads
   * with spend, sources with manual entries), and the spend of every ad among them.
   */
  private investedRows(
    r: ResolvedRange,
    agg: Aggregator,
    withConversations: Set<string> | null,
  ): InvestedRows {
    const keys = new Set<string>();
    if (withConversations) {
      for (const k of withConversations) if (adOfKey(k)) keys.add(k);
    } else {
      for (const kind of new Set(adPlatforms().map((pl) => pl.kind)))
        for (const key of agg.sourceKeysOfKindInRange(kind)) if (adOfKey(key)) keys.add(key);
    }
    const linked = linkedAdKeys(this.db, this.phone.id);
    const spend = spendOfKeys(this.db, new Set([...keys, ...linked]), r.from, r.to);
    for (const key of linked) {
      const s = spend.get(key);
      if (s && [...s.spend.values()].some((v) => v > 0)) keys.add(key);
    }
    const everOnNumber = this.q(
      `SELECT 1 FROM ${this.p}conversations WHERE phone = ? AND source = ? LIMIT 1`,
    );
    const extraAds: string[] = [];
    const manual = manualEntries(this.db, r.from, r.to);
    for (const key of manual.keys()) {
      if (keys.has(key)) continue;
      if (!withConversations?.has(key)) {
        const id = this.sourceIdOfKey(key);
        if (id === null || everOnNumber.get(this.phone.id, id) === undefined) continue;
      }
      keys.add(key);
      if (adOfKey(key)) extraAds.push(key);
    }
    for (const [key, s] of spendOfKeys(this.db, extraAds, r.from, r.to)) spend.set(key, s);
    return { keys: [...keys], spend, manual };
  }

  /**
   * A `reply:` source whose button text matches exactly one quick-reply button of one fetched template
   * is shown with that template's name; its id stays `reply:` (templates synced from 360dialog, docs/ingestion.md).
   */
  private templateReplyName(key: string, buttonText: string | null): string | null {
    if (restOf(key, 'reply') === null || !buttonText) return null;
    return templateNameForReply(this.db, this.phone.id, buttonText);
  }

  /** Invested of `keys` (rows of the range found by investedRows, plus any added for display). */
  private invested(keys: string[], r: ResolvedRange, rows: InvestedRows): Map<string, Invested> {
    return computeInvested(this.db, keys, r.from, r.to, this.settings.currency, rows.manual, rows.spend);
  }

  /** Source rows sorted by conversations descending, then id; small first-message sources folded into one row. */
  sources(event: ReportEvent | null, r: ResolvedRange = this.range): SourceRow[] {
    const agg = this.aggregator(r);
    const ev = event ? this.eventId(event.id) : null;
    const counts = event && ev === null ? agg.sources(null) : agg.sources(ev);
    const byKey = new Map<string, { id: number | null; info: SourceInfo; agg: SourceAgg }>();
    for (const [id, c] of counts) byKey.set(c.info.key, { id, info: c.info, agg: c });
    const withInvested = this.investedRows(r, agg, new Set(byKey.keys()));
    const extra = this.sourceInfos(withInvested.keys.filter((k) => !byKey.has(k)));
    for (const [key, x] of extra)
      byKey.set(key, { ...x, agg: { conversations: 0, contacts: 0, leads: 0, revenue: new Map() } });
    const keys = [...byKey.keys()];
    const invested = this.invested(keys, r, withInvested);
    this.rowInvested.set(`${r.from}|${r.to}`, invested);
    const details = detailsOfKeys(this.db, keys, withInvested.spend);
    const rows: SourceRow[] = [];
    const folded: Folded[] = [];
    const paid = { sources: 0, agg: emptyAgg(), invested: [] as Invested[] };
    for (const [key, s] of byKey) {
      const inv = invested.get(key);
      if (inv && inv.invested !== null) {
        paid.sources++;
        addAgg(paid.agg, s.agg);
        paid.invested.push(inv);
      }
      const d = details.get(key);
      const name =
        s.info.rename ??
        adDisplayName(d) ??
        this.templateReplyName(key, s.info.name) ??
        s.info.name ??
        defaultName(key);
      if (s.info.kind === 'first_message' && s.agg.conversations < this.settings.rollupThreshold) {
        folded.push({ key, id: s.id, name, agg: s.agg, inv: invested.get(key) });
        continue;
      }
      const row = this.row(key, s.info.kind as SourceKind, name, s.agg, invested.get(key), event);
      if (d) {
        const { adName: _, ...rest } = d;
        row.meta = rest;
      }
      rows.push(row);
    }
    if (folded.length > 0) rows.push(this.rollup(folded, agg, event));
    this.paidSums.set(`${r.from}|${r.to}`, {
      sources: paid.sources,
      agg: paid.agg,
      invested: mergeInvested(paid.invested.map((i) => ({ invested: i.invested, investedOther: i.other }))),
    });
    return rows.sort((a, b) => b.conversations - a.conversations || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private row(
    key: string,
    kind: SourceKind,
    name: string,
    a: SourceAgg,
    inv: Invested | undefined,
    event: ReportEvent | null,
  ): SourceRow {
    const { revenue, revenueOther } = this.revenueOf(a, event);
    const invested = inv?.invested ?? null;
    const r = ratesOf({ conversations: a.conversations, leads: a.leads, invested, revenue });
    return {
      id: key,
      kind,
      name,
      conversations: a.conversations,
      contacts: a.contacts,
      leads: a.leads,
      conversionRate: r.conversionRate,
      invested,
      investedFrom: inv?.from ?? null,
      investedOther: inv?.other ?? {},
      costPerLead: r.costPerLead,
      revenue,
      revenueOther,
      roas: r.roas,
    };
  }

  /** Revenue of sums in the workspace currency and the others apart (null when the event carries none). */
  private revenueOf(a: SourceAgg, event: ReportEvent | null) {
    return splitRevenue(a.revenue, this.settings.currency, this.carriesRevenue(event));
  }

  /** One row for the folded first-message sources; their own rows are never built, only listed. */
  private rollup(folded: Folded[], agg: Aggregator, event: ReportEvent | null): SourceRow {
    const a = emptyAgg();
    for (const f of folded) addAgg(a, f.agg, event?.kind === 'external');
    a.contacts = agg.distinctContacts(folded.map((f) => f.id).filter((x): x is number => x !== null));
    const inv = mergeInvested(
      folded.map((f) => ({ invested: f.inv?.invested ?? null, investedOther: f.inv?.other ?? {} })),
    );
    const row = this.row(ROLLUP_ID, 'rollup', ROLLUP_NAME, a, inv, event);
    row.children = folded
      .map((f) => ({ id: f.key, name: f.name, conversations: f.agg.conversations }))
      .sort((x, y) => y.conversations - x.conversations || (x.id < y.id ? -1 : 1));
    return row;
  }

  /** Totals from day-level summaries (independent of the source rows), with Invested over the row set. */
  totals(event: ReportEvent | null, r: ResolvedRange = this.range): Totals {
    const agg = this.aggregator(r);
    const ev = event ? this.eventId(event.id) : null;
    const t = agg.totals(ev);
    // The source rows of this range already know every row's Invested when sources() ran first.
    const known = this.rowInvested.get(`${r.from}|${r.to}`);
    const invested =
      known ??
      (() => {
        const rows = this.investedRows(r, agg, null);
        return this.invested(rows.keys, r, rows);
      })();
    const inv = mergeInvested(
      [...invested.values()].map((i) => ({ invested: i.invested, investedOther: i.other })),
    );
    const { revenue, revenueOther } = this.revenueOf(t, event);
    const rates = ratesOf({
      conversations: t.conversations,
      leads: t.leads,
      invested: inv.invested,
      revenue,
    });
    return {
      conversations: t.conversations,
      contacts: t.contacts,
      leads: t.leads,
      conversionRate: rates.conversionRate,
      invested: inv.invested,
      investedOther: inv.other,
      costPerLead: rates.costPerLead,
      revenue,
      revenueOther,
      roas: rates.roas,
      currency: this.settings.currency,
    };
  }

  /** Conversion cost and ROAS over the sources with an Invested amount only (after sources() of this range). */
  paid(event: ReportEvent | null, r: ResolvedRange = this.range): PaidTotals {
    if (!this.paidSums.has(`${r.from}|${r.to}`)) this.sources(event, r);
    const p = this.paidSums.get(`${r.from}|${r.to}`)!;
    const { revenue, revenueOther } = this.revenueOf(p.agg, event);
    const invested = p.invested.invested;
    const rates = ratesOf({ conversations: p.agg.conversations, leads: p.agg.leads, invested, revenue });
    return {
      sources: p.sources,
      conversations: p.agg.conversations,
      leads: p.agg.leads,
      invested,
      costPerLead: rates.costPerLead,
      revenue,
      revenueOther,
      roas: rates.roas,
    };
  }

  /** The local date of the number's first conversation (any time), null when it has none. */
  firstConversationDate(): string | null {
    const ts = this.q(`SELECT MIN(start_ts) FROM ${this.p}conversations WHERE phone = ?`)
      .pluck()
      .get(this.phone.id) as number | null;
    return ts === null ? null : DateTime.fromSeconds(ts, { zone: this.range.timezone }).toISODate();
  }

  previous(event: ReportEvent | null): Report['previous'] {
    const r = previousRange(this.range);
    const dataFrom = this.firstConversationDate();
    const comparison: Comparison =
      dataFrom === null || dataFrom > r.to ? 'none' : dataFrom > r.from ? 'partial' : 'full';
    return {
      ...this.totals(event, r),
      range: { from: r.from, to: r.to, timezone: r.timezone },
      comparison,
      dataFrom,
    };
  }

  series(event: ReportEvent | null): { granularity: Report['seriesGranularity']; series: Report['series'] } {
    const { granularity, buckets } = bucketsOf(this.range, todayDay(this.range.timezone, this.opts.now));
    const ev = event ? this.eventId(event.id) : null;
    const s = this.aggregator().series(ev, buckets);
    return {
      granularity,
      series: buckets.map((b, i) => ({
        bucket: b.bucket,
        to: dateOfDay(b.toDay),
        partial: b.partial,
        conversations: s.conversations[i]!,
        leads: event ? s.leads[i]! : 0,
      })),
    };
  }

  funnel(steps: string[], conversations: number): FunnelStep[] {
    const out: FunnelStep[] = [
      {
        eventId: null,
        label: 'Conversations started',
        conversations,
        rateFromStart: shareOf(conversations, conversations),
        rateFromPrevious: shareOf(conversations, conversations),
        medianSecondsFromStart: conversations > 0 ? 0 : null,
      },
    ];
    if (steps.length === 0) return out;
    const infos = steps.map((key) => {
      const info = parseEventKey(key);
      if (!info) throw new ApiError('invalid_argument', `"${key}" is not an event id`, 'funnel');
      return info;
    });
    const ids = steps.map((k) => this.eventId(k));
    const agg = this.aggregator();
    const delays: number[][] = steps.map(() => []);
    if (ids[0] !== null && ids[0] !== undefined) {
      if (steps.length === 1) delays[0] = agg.firstDelays(ids[0]);
      else {
        const known = ids.filter((x): x is number => x !== null);
        for (const c of agg.funnelConversations(ids[0], known)) {
          let t = c.start;
          for (let i = 0; i < steps.length; i++) {
            const id = ids[i];
            if (id === null || id === undefined) break;
            const strict = ids.slice(0, i).includes(id);
            const next = (c.occurrences.get(id) ?? []).find((ts) => (strict ? ts > t : ts >= t));
            if (next === undefined) break;
            t = next;
            delays[i]!.push(t - c.start);
          }
        }
      }
    }
    let prev = conversations;
    steps.forEach((key, i) => {
      const n = delays[i]!.length;
      out.push({
        eventId: key,
        label: infos[i]!.label,
        conversations: n,
        rateFromStart: shareOf(n, conversations),
        rateFromPrevious: shareOf(n, prev),
        medianSecondsFromStart: median(delays[i]!),
      });
      prev = n;
    });
    return out;
  }
}

const emptyAgg = (): SourceAgg => ({ conversations: 0, contacts: 0, leads: 0, revenue: new Map() });

/** Adds conversations, leads and (optionally) revenue per currency; contacts are not additive. */
function addAgg(into: SourceAgg, a: SourceAgg, revenue = true): void {
  into.conversations += a.conversations;
  into.leads += a.leads;
  if (revenue) for (const [cur, amt] of a.revenue) into.revenue.set(cur, (into.revenue.get(cur) ?? 0) + amt);
}

function splitRevenue(
  map: Map<string, number>,
  currency: string,
  carries: boolean,
): { revenue: number | null; revenueOther: Record<string, number> } {
  if (!carries) return { revenue: null, revenueOther: {} };
  if (map.size === 0) return { revenue: 0, revenueOther: {} };
  const other: Record<string, number> = {};
  for (const [cur, amt] of [...map.entries()].sort())
    if (cur !== currency && amt !== 0) other[cur] = amt / MICRO;
  return { revenue: (map.get(currency) ?? 0) / MICRO, revenueOther: other };
}

/** Sums in millionths, like revenue, so totals print as 3189.33 rather than 3189.3299999999995. */
function mergeInvested(rows: { invested: number | null; investedOther: Record<string, number> }[]): Invested {
  let invested: number | null = null;
  const other: Record<string, number> = {};
  for (const r of rows) {
    if (r.invested !== null) invested = (invested ?? 0) + Math.round(r.invested * MICRO);
    for (const [cur, amt] of Object.entries(r.investedOther))
      other[cur] = (other[cur] ?? 0) + Math.round(amt * MICRO);
  }
  for (const cur of Object.keys(other)) other[cur] = other[cur]! / MICRO;
  return { invested: invested === null ? null : invested / MICRO, other, from: null };
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Display name when no rename, Meta name or referral name exists. */
export function defaultName(key: string): string {
  const { prefix, rest } = parseSourceKey(key);
  if (prefix === 'type') return `(${rest} message)`;
  if (prefix === 'post' || adOfKey(key)) return key;
  return rest;
}

export function buildReport(db: Db, q: ReportQuery, opts: ReportOptions = {}): Report {
  return reportOf(new ReportContext(db, q.phone, q.range, q.timezone, opts), q);
}

/** The report and the available events of its range from one context: the events are counted once. */
export function buildDashboard(
  db: Db,
  q: DashboardQuery,
  opts: ReportOptions = {},
): { report: Report; events: EventList } {
  const { eventsLimit, ...query } = q;
  const ctx = new ReportContext(db, q.phone, q.range, q.timezone, opts);
  const report = reportOf(ctx, query);
  const all = ctx.availableEvents();
  return { report, events: { events: all.events.slice(0, eventsLimit ?? 500), suggested: all.suggested } };
}

function reportOf(ctx: ReportContext, q: ReportQuery): Report {
  const event = ctx.selectEvent(q.event);
  const sources = ctx.sources(event);
  const totals = ctx.totals(event);
  const { granularity, series } = ctx.series(event);
  return {
    phone: { id: ctx.phone.id, display: ctx.phone.display, name: ctx.phone.name },
    range: { from: ctx.range.from, to: ctx.range.to, timezone: ctx.range.timezone },
    event,
    totals,
    previous: ctx.previous(event),
    paid: ctx.paid(event),
    sources,
    funnel: ctx.funnel(q.funnel ?? (event ? [event.id] : []), totals.conversations),
    series,
    seriesGranularity: granularity,
    unattributedExternalEvents: ctx.unattributed(event),
  };
}

export function listEvents(
  db: Db,
  args: {
    phone: string;
    range: ReportQuery['range'];
    timezone?: string;
    kind?: EventKind;
    search?: string;
    limit?: number;
  },
  opts: ReportOptions = {},
): EventList {
  const { events, suggested } = new ReportContext(
    db,
    args.phone,
    args.range,
    args.timezone,
    opts,
  ).availableEvents();
  const needle = args.search?.toLowerCase();
  const filtered = events.filter(
    (e) =>
      (!args.kind || e.kind === args.kind) &&
      (!needle || e.id.toLowerCase().includes(needle) || e.label.toLowerCase().includes(needle)),
  );
  return { events: filtered.slice(0, args.limit ?? 500), suggested };
}
