import type Database from 'better-sqlite3';
import type { Db } from '../../db/open';
import { cachedStatement, jsonColumns } from '../../db/statements';
import { startOfDayTs } from '../days';
import { BLOCK_DAYS, type Prefix, WEEK_DAYS } from '../tables';
import { CONVERSATION_MODEL, type ModelTables } from './models';
import type { Bucket, ResolvedRange } from './range';

// Counting for one number and range, two ways. The summary path reads per-day summary tables keyed by the
// applied timezone's local day; the exact path reads conversation-level rows by timestamp and serves any
// other report timezone. Both give the same numbers (a property test checks it). They stay in one file (about
// 560 lines) on purpose: each count is written twice, side by side, so a change to one path is seen next to
// the other.

export interface SourceAgg {
  conversations: number;
  contacts: number;
  leads: number;
  /** Revenue in millionths per currency. */
  revenue: Map<string, number>;
}

export interface TotalAgg extends SourceAgg {}

export interface FunnelConv {
  start: number;
  occurrences: Map<number, number[]>;
}

export interface Aggregator {
  /** Counts per source id (the source each conversation counts under in the model). */
  sources(event: number | null): Map<number, SourceAgg>;
  totals(event: number | null): TotalAgg;
  distinctContacts(sources: number[]): number;
  series(event: number | null, buckets: Bucket[]): { conversations: number[]; leads: number[] };
  /** Delays (s) from start to the earliest occurrence at or after start, for conversations with the event. */
  firstDelays(event: number): number[];
  /** Conversations with `event`, with every occurrence time of `events`, for multi-step funnels. */
  funnelConversations(event: number, events: number[]): FunnelConv[];
  available(): Map<number, { leads: number; occurrences: number }>;
  /** Leads of each of a few events in the range (as available() counts them); events without are absent. */
  eventLeads(events: number[]): Map<number, number>;
  /** Keys of the sources of `kind` with a conversation in the range, but `except` (one statement, index seeks). */
  sourceKeysOfKindInRange(kind: string, except: string[]): string[];
}

export const emptyAgg = (): SourceAgg => ({ conversations: 0, contacts: 0, leads: 0, revenue: new Map() });

function addRevenue(map: Map<string, number>, currency: string, amount: number): void {
  map.set(currency, (map.get(currency) ?? 0) + amount);
}

function stmt(db: Db, p: Prefix, sql: string): Database.Statement {
  return cachedStatement(db, sql.replaceAll('$', p));
}

/**
 * Sums per source of a statement selecting `json_group_array(source), json_group_array(value)` over rows that
 * may repeat a source: `f` adds each value into the source's entry (created by `create` when absent, skipped
 * when `create` is not given). Summed here rather than by GROUP BY: SQLite sorts the rows for that, which
 * costs more than the additions, and thousands of rows handed over one by one cost more again (jsonColumns).
 */
function sumBySource<A>(
  st: Database.Statement,
  args: unknown[],
  out: Map<number, A>,
  f: (a: A, v: number) => void,
  create?: () => A,
): void {
  const [s, v] = jsonColumns<[number[], number[]]>(st, ...args);
  for (let i = 0; i < s.length; i++) {
    let a = out.get(s[i]!);
    if (a === undefined) {
      if (!create) continue;
      a = create();
      out.set(s[i]!, a);
    }
    f(a, v[i]!);
  }
}

/**
 * Ids of the sources of `kind` whose key is not in `except`. Filtered here: a workspace's ads are usually
 * all linked ones with spend (`except`), and SQLite's NOT IN over a JSON list cost twice as much.
 */
function idsOfKindBut(q: (sql: string) => Database.Statement, kind: string, except: string[]): number[] {
  const [ids, keys] = jsonColumns<[number[], string[]]>(
    q('SELECT json_group_array(id), json_group_array(key) FROM $sources WHERE kind = ?'),
    kind,
  );
  const skip = new Set(except);
  return ids.filter((_, i) => !skip.has(keys[i]!));
}

/**
 * [fromDay, toDay] as up to two runs of edge days, two runs of 7-day blocks and one run of 28-day blocks
 * (block indices: day / 7, day / 28), as named parameters; an unused run is the empty range 1..0.
 */
export function blockParams(fromDay: number, toDay: number): Record<string, number> {
  const p = { d1: 1, d2: 0, d3: 1, d4: 0, w1: 1, w2: 0, w3: 1, w4: 0, m1: 1, m2: 0 };
  const up = (d: number, k: number) => Math.ceil(d / k) * k;
  const down = (d: number, k: number) => Math.floor(d / k) * k;
  const w0 = up(fromDay, WEEK_DAYS);
  const w9 = down(toDay + 1, WEEK_DAYS); // exclusive
  if (w9 <= w0) return { ...p, d1: fromDay, d2: toDay };
  if (fromDay < w0) [p.d1, p.d2] = [fromDay, w0 - 1];
  if (w9 <= toDay) [p.d3, p.d4] = [w9, toDay];
  const m0 = up(w0, BLOCK_DAYS);
  const m9 = down(w9, BLOCK_DAYS);
  if (m9 <= m0) {
    [p.w1, p.w2] = [w0 / WEEK_DAYS, w9 / WEEK_DAYS - 1];
    return p;
  }
  [p.m1, p.m2] = [m0 / BLOCK_DAYS, m9 / BLOCK_DAYS - 1];
  if (w0 < m0) [p.w1, p.w2] = [w0 / WEEK_DAYS, m0 / WEEK_DAYS - 1];
  if (m9 < w9) [p.w3, p.w4] = [m9 / WEEK_DAYS, w9 / WEEK_DAYS - 1];
  return p;
}

function bucketIndexOfDay(buckets: Bucket[]): (day: number) => number {
  const first = buckets[0]?.fromDay ?? 0;
  const index: number[] = [];
  buckets.forEach((b, i) => {
    for (let d = b.fromDay; d <= b.toDay; d++) index[d - first] = i;
  });
  return (day) => index[day - first] ?? -1;
}

/** Conversations in the range with `event`, and every occurrence of `events` in them, in time order. */
function funnelRows(
  q: (sql: string) => Database.Statement,
  inRange: string,
  events: number[],
  event: number,
  rangeArgs: unknown[],
): FunnelConv[] {
  return groupFunnel(
    q(
      `SELECT ce.conv AS conv, c.start_ts AS start, o.event AS event, o.ts AS ts
       FROM $conv_events ce JOIN $conversations c ON c.id = ce.conv
       JOIN $occurrences o ON o.conv = ce.conv AND o.event IN (SELECT value FROM json_each(?))
       WHERE ce.event = ? AND ${inRange} ORDER BY ce.conv, o.ts`,
    ).all(JSON.stringify(events), event, ...rangeArgs) as {
      conv: number;
      start: number;
      event: number;
      ts: number;
    }[],
  );
}

function groupFunnel(rows: { conv: number; start: number; event: number; ts: number }[]): FunnelConv[] {
  const out: FunnelConv[] = [];
  let cur: (FunnelConv & { id: number }) | undefined;
  for (const r of rows) {
    if (!cur || cur.id !== r.conv) {
      cur = { id: r.conv, start: r.start, occurrences: new Map() };
      out.push(cur);
    }
    const list = cur.occurrences.get(r.event) ?? [];
    cur.occurrences.set(r.event, list);
    list.push(r.ts);
  }
  return out;
}

/** Summary tables keyed by local day (report timezone = the applied timezone). */
export function summaryAggregator(
  db: Db,
  p: Prefix,
  phone: string,
  r: ResolvedRange,
  m: ModelTables = CONVERSATION_MODEL,
): Aggregator {
  const q = (sql: string) => stmt(db, p, sql);
  const { fromDay, toDay } = r;
  const [minDay, maxDay] = q('SELECT MIN(day), MAX(day) FROM $day_n WHERE phone = ?').raw().get(phone) as [
    number | null,
    number | null,
  ];
  // A range that runs past the newest conversation (every preset does) is counted as all-time figures minus
  // the days before `from` when those are fewer than the range's own days.
  const openEnded = maxDay !== null && toDay >= maxDay;
  const complement = openEnded && minDay !== null && fromDay - minDay < toDay - fromDay + 1;
  const subtract = (
    out: Map<number, SourceAgg>,
    rows: [number, number][],
    f: (a: SourceAgg, v: number) => void,
  ) => {
    for (const [s, v] of rows) {
      const a = out.get(s);
      if (a) f(a, v);
    }
  };
  return {
    sources(event) {
      const out = new Map<number, SourceAgg>();
      if (complement) {
        const [ids, ns, reps] = jsonColumns<[number[], number[], number[]]>(
          q(
            `SELECT json_group_array(source), json_group_array(n), json_group_array(rep) FROM $${m.t}src_all WHERE phone = ?`,
          ),
          phone,
        );
        // contacts = conversations in range − conversations whose previous one (same source) is also in range
        for (let i = 0; i < ids.length; i++)
          out.set(ids[i]!, {
            conversations: ns[i]!,
            contacts: ns[i]! - reps[i]!,
            leads: 0,
            revenue: new Map(),
          });
        subtract(
          out,
          q(`SELECT source, SUM(n) FROM $${m.t}sum_src WHERE phone = ? AND day < ? GROUP BY source`)
            .raw()
            .all(phone, fromDay) as [number, number][],
          (a, v) => {
            a.conversations -= v;
            a.contacts -= v;
          },
        );
        subtract(
          out,
          q(`SELECT source, SUM(n) FROM $${m.t}src_prev WHERE phone = ? AND prev_day < ? GROUP BY source`)
            .raw()
            .all(phone, fromDay) as [number, number][],
          (a, v) => {
            a.contacts += v;
          },
        );
        for (const [s, a] of out) if (a.conversations === 0) out.delete(s);
        if (event === null) return out;
        for (const [s, l] of q(`SELECT source, leads FROM $${m.t}event_all WHERE phone = ? AND event = ?`)
          .raw()
          .all(phone, event) as [number, number][]) {
          const a = out.get(s);
          if (a) a.leads = l;
        }
        subtract(
          out,
          q(
            `SELECT source, SUM(leads) FROM $${m.t}sum_event WHERE phone = ? AND event = ? AND day < ? GROUP BY source`,
          )
            .raw()
            .all(phone, event, fromDay) as [number, number][],
          (a, v) => {
            a.leads -= v;
          },
        );
        for (const [s, cur, amt] of q(
          `SELECT source, currency, amount FROM $${m.t}rev_all WHERE phone = ? AND event = ?`,
        )
          .raw()
          .all(phone, event) as [number, string, number][]) {
          const a = out.get(s);
          if (a) addRevenue(a.revenue, cur, amt);
        }
        for (const [s, cur, amt] of q(
          `SELECT source, currency, SUM(amount) FROM $${m.t}sum_rev WHERE phone = ? AND event = ? AND day < ? GROUP BY source, currency`,
        )
          .raw()
          .all(phone, event, fromDay) as [number, string, number][]) {
          const a = out.get(s);
          if (a) addRevenue(a.revenue, cur, -amt);
        }
        return out;
      }
      sumBySource(
        q(
          `SELECT json_group_array(source), json_group_array(n) FROM (
             SELECT source, n FROM $${m.t}sum_src WHERE phone = @phone AND day BETWEEN @d1 AND @d2
             UNION ALL SELECT source, n FROM $${m.t}sum_src WHERE phone = @phone AND day BETWEEN @d3 AND @d4
             UNION ALL SELECT source, n FROM $${m.t}sum_src_w WHERE phone = @phone AND block BETWEEN @w1 AND @w2
             UNION ALL SELECT source, n FROM $${m.t}sum_src_w WHERE phone = @phone AND block BETWEEN @w3 AND @w4
             UNION ALL SELECT source, n FROM $${m.t}sum_src_m WHERE phone = @phone AND block BETWEEN @m1 AND @m2)`,
        ),
        [{ phone, ...blockParams(fromDay, toDay) }],
        out,
        (a, n) => {
          a.conversations += n;
          a.contacts += n;
        },
        emptyAgg,
      );
      // contacts = conversations − those whose previous one (same contact and source) is in the range too
      subtract(
        out,
        q(
          `SELECT ${m.source}, COUNT(*) FROM $conversations INDEXED BY $${m.t}conv_rep
           WHERE phone = ? AND ${m.prev} >= 0 AND ${m.prev} >= ? AND day <= ? GROUP BY ${m.source}`,
        )
          .raw()
          .all(phone, fromDay, toDay) as [number, number][],
        (a, v) => {
          a.contacts -= v;
        },
      );
      if (event === null) return out;
      sumBySource(
        q(
          `SELECT json_group_array(source), json_group_array(leads) FROM $${m.t}sum_event
           WHERE phone = ? AND event = ? AND day BETWEEN ? AND ?`,
        ),
        [phone, event, fromDay, toDay],
        out,
        (a, l) => {
          a.leads += l;
        },
      );
      const rev = q(
        `SELECT source, currency, SUM(amount) FROM $${m.t}sum_rev WHERE phone = ? AND event = ? AND day BETWEEN ? AND ? GROUP BY source, currency`,
      )
        .raw()
        .all(phone, event, fromDay, toDay) as [number, string, number][];
      for (const [s, cur, amt] of rev) {
        const a = out.get(s);
        if (a) addRevenue(a.revenue, cur, amt);
      }
      return out;
    },
    totals(event) {
      const t = emptyAgg();
      if (openEnded) {
        t.conversations =
          (q('SELECT SUM(n) FROM $day_n WHERE phone = ? AND day >= ?').pluck().get(phone, fromDay) as
            | number
            | null) ?? 0;
        const repeats =
          (q('SELECT SUM(n) FROM $day_prev WHERE phone = ? AND prev_day >= ?').pluck().get(phone, fromDay) as
            | number
            | null) ?? 0;
        t.contacts = t.conversations - repeats;
      } else {
        t.conversations =
          (q('SELECT SUM(n) FROM $day_n WHERE phone = ? AND day BETWEEN ? AND ?')
            .pluck()
            .get(phone, fromDay, toDay) as number | null) ?? 0;
        // Repeats (previous conversation also in the range): one seek per day past the earlier days' rows.
        const repeats =
          (q(
            `WITH RECURSIVE d(day) AS (SELECT @from UNION ALL SELECT day + 1 FROM d WHERE day < @to)
             SELECT SUM(s.n) FROM d CROSS JOIN $sum_day s ON s.phone = @phone AND s.day = d.day AND s.prev_day >= @from`,
          )
            .pluck()
            .get({ phone, from: fromDay, to: toDay }) as number | null) ?? 0;
        t.contacts = t.conversations - repeats;
      }
      if (event === null) return t;
      t.leads =
        (q('SELECT SUM(leads) FROM $sum_day_event WHERE phone = ? AND event = ? AND day BETWEEN ? AND ?')
          .pluck()
          .get(phone, event, fromDay, toDay) as number | null) ?? 0;
      for (const [cur, amt] of q(
        'SELECT currency, SUM(amount) FROM $day_rev WHERE phone = ? AND event = ? AND day BETWEEN ? AND ? GROUP BY currency',
      )
        .raw()
        .all(phone, event, fromDay, toDay) as [string, number][])
        addRevenue(t.revenue, cur, amt);
      return t;
    },
    distinctContacts(sources) {
      if (sources.length === 0) return 0;
      return q(
        `SELECT COUNT(DISTINCT contact) FROM $conversations INDEXED BY $${m.t}conv_src
         WHERE phone = ? AND ${m.source} IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ?`,
      )
        .pluck()
        .get(phone, JSON.stringify(sources), fromDay, toDay) as number;
    },
    series(event, buckets) {
      const idx = bucketIndexOfDay(buckets);
      const conversations = buckets.map(() => 0);
      const leads = buckets.map(() => 0);
      for (const [day, n] of q('SELECT day, n FROM $day_n WHERE phone = ? AND day BETWEEN ? AND ?')
        .raw()
        .all(phone, fromDay, toDay) as [number, number][])
        conversations[idx(day)]! += n;
      if (event !== null) {
        for (const [day, n] of q(
          'SELECT day, leads FROM $sum_day_event WHERE phone = ? AND event = ? AND day BETWEEN ? AND ?',
        )
          .raw()
          .all(phone, event, fromDay, toDay) as [number, number][])
          leads[idx(day)]! += n;
      }
      return { conversations, leads };
    },
    firstDelays(event) {
      return q(
        'SELECT first_delay FROM $conv_events WHERE phone = ? AND event = ? AND day BETWEEN ? AND ? AND first_delay IS NOT NULL',
      )
        .pluck()
        .all(phone, event, fromDay, toDay) as number[];
    },
    funnelConversations(event, events) {
      return funnelRows(q, 'ce.phone = ? AND ce.day BETWEEN ? AND ?', events, event, [phone, fromDay, toDay]);
    },
    available() {
      const out = new Map<number, { leads: number; occurrences: number }>();
      for (const [e, l, o] of q(
        'SELECT event, SUM(leads), SUM(occ) FROM $sum_day_event INDEXED BY $sum_day_event_day WHERE phone = ? AND day BETWEEN ? AND ? GROUP BY event',
      )
        .raw()
        .all(phone, fromDay, toDay) as [number, number, number][])
        out.set(e, { leads: l, occurrences: o });
      return out;
    },
    eventLeads(events) {
      // One range of the (phone, event, day) key per event.
      return new Map(
        q(
          `SELECT s.event, SUM(s.leads) FROM json_each(?) j CROSS JOIN $sum_day_event s
           ON s.phone = ? AND s.event = j.value AND s.day BETWEEN ? AND ? GROUP BY s.event`,
        )
          .raw()
          .all(JSON.stringify(events), phone, fromDay, toDay) as [number, number][],
      );
    },
    sourceKeysOfKindInRange(kind, except) {
      const ids = idsOfKindBut(q, kind, except);
      if (ids.length === 0) return [];
      return jsonColumns<[string[]]>(
        q(
          `SELECT json_group_array(s.key) FROM json_each(?) j JOIN $sources s ON s.id = j.value WHERE EXISTS (
             SELECT 1 FROM $conversations c INDEXED BY $conv_src WHERE c.phone = ? AND c.source = s.id AND c.day BETWEEN ? AND ?)`,
        ),
        JSON.stringify(ids),
        phone,
        fromDay,
        toDay,
      )[0];
    },
  };
}

/** Conversation-level rows by timestamp: exact in any report timezone. */
export function exactAggregator(
  db: Db,
  p: Prefix,
  phone: string,
  r: ResolvedRange,
  m: ModelTables = CONVERSATION_MODEL,
): Aggregator {
  const q = (sql: string) => stmt(db, p, sql);
  const { startTs, endTs } = r;
  const IN_RANGE = 'c.phone = ? AND c.start_ts >= ? AND c.start_ts < ?';
  return {
    sources(event) {
      const out = new Map<number, SourceAgg>();
      for (const [s, n, k] of q(
        `SELECT ${m.source}, COUNT(*), COUNT(DISTINCT contact) FROM $conversations c WHERE ${IN_RANGE} GROUP BY 1`,
      )
        .raw()
        .all(phone, startTs, endTs) as [number, number, number][])
        out.set(s, { conversations: n, contacts: k, leads: 0, revenue: new Map() });
      if (event === null) return out;
      for (const [s, l] of q(
        `SELECT c.${m.source}, COUNT(*) FROM $conv_events ce JOIN $conversations c ON c.id = ce.conv WHERE ce.event = ? AND ${IN_RANGE} GROUP BY 1`,
      )
        .raw()
        .all(event, phone, startTs, endTs) as [number, number][])
        out.get(s)!.leads = l;
      for (const [s, cur, amt] of q(
        `SELECT c.${m.source}, o.currency, SUM(o.amount) FROM $conversations c JOIN $occurrences o ON o.conv = c.id AND o.event = ?
         WHERE ${IN_RANGE} AND o.amount IS NOT NULL GROUP BY 1, 2`,
      )
        .raw()
        .all(event, phone, startTs, endTs) as [number, string, number][])
        addRevenue(out.get(s)!.revenue, cur, amt);
      return out;
    },
    totals(event) {
      const t = emptyAgg();
      const [n, k] = q(`SELECT COUNT(*), COUNT(DISTINCT contact) FROM $conversations c WHERE ${IN_RANGE}`)
        .raw()
        .get(phone, startTs, endTs) as [number, number];
      t.conversations = n;
      t.contacts = k;
      if (event === null) return t;
      t.leads = q(
        `SELECT COUNT(*) FROM $conv_events ce JOIN $conversations c ON c.id = ce.conv WHERE ce.event = ? AND ${IN_RANGE}`,
      )
        .pluck()
        .get(event, phone, startTs, endTs) as number;
      for (const [cur, amt] of q(
        `SELECT o.currency, SUM(o.amount) FROM $conversations c JOIN $occurrences o ON o.conv = c.id AND o.event = ?
         WHERE ${IN_RANGE} AND o.amount IS NOT NULL GROUP BY o.currency`,
      )
        .raw()
        .all(event, phone, startTs, endTs) as [string, number][])
        addRevenue(t.revenue, cur, amt);
      return t;
    },
    distinctContacts(sources) {
      if (sources.length === 0) return 0;
      return q(
        `SELECT COUNT(DISTINCT contact) FROM $conversations c WHERE ${IN_RANGE} AND c.${m.source} IN (SELECT value FROM json_each(?))`,
      )
        .pluck()
        .get(phone, startTs, endTs, JSON.stringify(sources)) as number;
    },
    series(event, buckets) {
      const bounds = buckets.map((b) => startOfDayTs(b.fromDay, r.timezone));
      const conversations = buckets.map(() => 0);
      const leads = buckets.map(() => 0);
      const find = (ts: number) => {
        let lo = 0;
        let hi = bounds.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (bounds[mid]! <= ts) lo = mid;
          else hi = mid - 1;
        }
        return lo;
      };
      for (const [ts, lead] of q(
        `SELECT c.start_ts, EXISTS (SELECT 1 FROM $conv_events ce WHERE ce.conv = c.id AND ce.event = ?) FROM $conversations c WHERE ${IN_RANGE}`,
      )
        .raw()
        .all(event ?? -1, phone, startTs, endTs) as [number, number][]) {
        const i = find(ts);
        conversations[i]!++;
        if (lead) leads[i]!++;
      }
      return { conversations, leads };
    },
    firstDelays(event) {
      return q(
        `SELECT ce.first_delay FROM $conv_events ce JOIN $conversations c ON c.id = ce.conv
         WHERE ce.event = ? AND ${IN_RANGE} AND ce.first_delay IS NOT NULL`,
      )
        .pluck()
        .all(event, phone, startTs, endTs) as number[];
    },
    funnelConversations(event, events) {
      return funnelRows(q, IN_RANGE, events, event, [phone, startTs, endTs]);
    },
    available() {
      const out = new Map<number, { leads: number; occurrences: number }>();
      for (const [e, l, o] of q(
        `SELECT ce.event, COUNT(*), SUM(ce.occurrences) FROM $conv_events ce JOIN $conversations c ON c.id = ce.conv
         WHERE ${IN_RANGE} GROUP BY ce.event`,
      )
        .raw()
        .all(phone, startTs, endTs) as [number, number, number][])
        out.set(e, { leads: l, occurrences: o });
      return out;
    },
    eventLeads(events) {
      return new Map(
        q(
          `SELECT ce.event, COUNT(*) FROM $conv_events ce JOIN $conversations c ON c.id = ce.conv
           WHERE ce.event IN (SELECT value FROM json_each(?)) AND ${IN_RANGE} GROUP BY ce.event`,
        )
          .raw()
          .all(JSON.stringify(events), phone, startTs, endTs) as [number, number][],
      );
    },
    sourceKeysOfKindInRange(kind, except) {
      const ids = idsOfKindBut(q, kind, except);
      if (ids.length === 0) return [];
      return jsonColumns<[string[]]>(
        q(
          `SELECT json_group_array(s.key) FROM json_each(?) j JOIN $sources s ON s.id = j.value WHERE EXISTS (
             SELECT 1 FROM $conversations c INDEXED BY $conv_src WHERE c.source = s.id AND ${IN_RANGE})`,
        ),
        JSON.stringify(ids),
        phone,
        startTs,
        endTs,
      )[0];
    },
  };
}
