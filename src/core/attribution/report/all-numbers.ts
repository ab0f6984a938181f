import { ALL_NUMBERS, ALL_NUMBERS_NAME, isAllNumbers } from '../../../shared/all-numbers';
import type { Db } from '../../db/open';
import { cachedStatement } from '../../db/statements';
import { type PhoneInfo, resolvePhone } from '../business-numbers';
import { type Prefix, tableExists } from '../tables';
import { type Aggregator, emptyAgg, type SourceAgg } from './aggregates';
import { CONVERSATION_MODEL, type ModelTables } from './models';
import type { ResolvedRange } from './range';

// A report over every business number of the workspace (docs/metrics.md "All numbers"). Counts are the
// per-number aggregators' figures added up per source id (a source id is the workspace's, so a keyword or an
// ad on two numbers is one row); distinct contacts subtract what the contacts that wrote to more than one
// number in the range count too often. Only those contacts are read at conversation level (the derived set
// keeps them: multi_contacts); everything else is a sum of the numbers' summaries.

/** The numbers a report covers: the one a caller names, or for "all" every number phones.list lists. */
export interface ReportNumbers {
  phone: PhoneInfo;
  phones: string[];
}

export function reportNumbers(db: Db, phone: string): ReportNumbers {
  if (!isAllNumbers(phone)) {
    const one = resolvePhone(db, phone);
    return { phone: one, phones: [one.id] };
  }
  const phones = cachedStatement(
    db,
    `SELECT phone_number_id FROM business_numbers
     UNION SELECT phone_number_id FROM channels ORDER BY 1`,
  )
    .pluck()
    .all() as string[];
  return { phone: { id: ALL_NUMBERS, display: null, name: ALL_NUMBERS_NAME, digits: null }, phones };
}

/**
 * SQL: `column` is one of the report's numbers, with the value to bind to its one `?` (`phoneArg`). One number
 * keeps the plain equality its statements were planned with.
 */
export const phoneIn = (phones: readonly string[], column: string): string =>
  phones.length === 1 ? `${column} = ?` : `${column} IN (SELECT value FROM json_each(?))`;

export const phoneArg = (phones: readonly string[]): string =>
  phones.length === 1 ? phones[0]! : JSON.stringify(phones);

function addInto(into: SourceAgg, a: SourceAgg): void {
  into.conversations += a.conversations;
  into.contacts += a.contacts;
  into.leads += a.leads;
  for (const [cur, amt] of a.revenue) into.revenue.set(cur, (into.revenue.get(cur) ?? 0) + amt);
}

/** Contacts with conversations on two or more of the numbers in the range, and their extra numbers. */
interface Overlap {
  /** Σ over those contacts of (numbers − 1): what the per-number distinct counts count too often. */
  total: number;
  /** The same per source, among each source's conversations. */
  bySource: Map<number, number>;
}

// The overlap of a range, read once per report: its sources and its totals both need it. A range object
// belongs to one ReportContext (one call), which has one set of numbers and one table set.
const overlaps = new WeakMap<ResolvedRange, Overlap>();

/**
 * The per-number aggregators of `phones` merged. `summary`: the report's days are the summaries' (its zone is
 * the applied one), so conversations' `day` bounds the range where an index has it.
 */
export function allNumbersAggregator(
  db: Db,
  p: Prefix,
  phones: readonly string[],
  r: ResolvedRange,
  summary: boolean,
  perNumber: (phone: string) => Aggregator,
  /** The attribution model's source column (models.ts): a conversation counts under it. */
  m: ModelTables = CONVERSATION_MODEL,
): Aggregator {
  const parts = phones.map(perNumber);
  const q = (sql: string) => cachedStatement(db, sql.replaceAll('$', p));
  // Start times bound the range on both paths (conv_contact has them); `day` where conv_src has it.
  const inRange = { sql: 'start_ts >= ? AND start_ts < ?', args: [r.startTs, r.endTs] };
  const inDays = summary ? { sql: 'day BETWEEN ? AND ?', args: [r.fromDay, r.toDay] } : inRange;
  const phonesJson = JSON.stringify(phones);
  const overlapOf = (): Overlap => {
    let overlap = overlaps.get(r);
    if (overlap) return overlap;
    overlap = { total: 0, bySource: new Map() };
    overlaps.set(r, overlap);
    if (phones.length < 2) return overlap;
    // The contacts that ever wrote to two numbers, kept by triggers (derived-cache.ts); a set made before
    // version 2 has no such table until its rebuild: those contacts are then found among the range's rows.
    const kept = tableExists(db, `${p}multi_contacts`);
    const candidates = kept
      ? 'SELECT contact FROM $multi_contacts'
      : `SELECT contact FROM $conversations WHERE ${inRange.sql} GROUP BY contact HAVING MIN(phone) <> MAX(phone)`;
    // One seek per candidate in a covering index, rows in contact order; most candidates wrote to one number
    // in the range, so each contact's few rows are looked at together and only the others build sets.
    const rows = q(
      `SELECT contact, ${m.source}, phone FROM $conversations INDEXED BY $conv_contact
       WHERE contact IN (${candidates}) AND ${inRange.sql} ORDER BY contact`,
    )
      .raw()
      .all(...(kept ? [] : inRange.args), ...inRange.args) as [string, number, string][];
    const covered = new Set(phones);
    for (let i = 0; i < rows.length; ) {
      const [contact, , first] = rows[i]!;
      let j = i;
      let several = false;
      for (; j < rows.length && rows[j]![0] === contact; j++) if (rows[j]![2] !== first) several = true;
      if (several) {
        const group = rows.slice(i, j).filter(([, , phone]) => covered.has(phone));
        overlap.total += Math.max(0, new Set(group.map(([, , phone]) => phone)).size - 1);
        const bySource = new Map<number, Set<string>>();
        for (const [, source, phone] of group)
          bySource.set(source, (bySource.get(source) ?? new Set()).add(phone));
        for (const [source, set] of bySource)
          if (set.size > 1) overlap.bySource.set(source, (overlap.bySource.get(source) ?? 0) + set.size - 1);
      }
      i = j;
    }
    return overlap;
  };
  return {
    sources(event) {
      const out = new Map<number, SourceAgg>();
      for (const part of parts)
        for (const [s, a] of part.sources(event)) {
          let into = out.get(s);
          if (!into) {
            into = emptyAgg();
            out.set(s, into);
          }
          addInto(into, a);
        }
      for (const [s, extra] of overlapOf().bySource) {
        const a = out.get(s);
        if (a) a.contacts -= extra;
      }
      return out;
    },
    totals(event) {
      const t = emptyAgg();
      for (const part of parts) addInto(t, part.totals(event));
      t.contacts -= overlapOf().total;
      return t;
    },
    distinctContacts(sources) {
      if (sources.length === 0 || phones.length === 0) return 0;
      return q(
        `SELECT COUNT(DISTINCT contact) FROM $conversations INDEXED BY $${m.t}conv_src
         WHERE phone IN (SELECT value FROM json_each(?)) AND ${m.source} IN (SELECT value FROM json_each(?))
           AND ${inDays.sql}`,
      )
        .pluck()
        .get(phonesJson, JSON.stringify(sources), ...inDays.args) as number;
    },
    series(event, buckets) {
      const conversations = buckets.map(() => 0);
      const leads = buckets.map(() => 0);
      for (const part of parts) {
        const s = part.series(event, buckets);
        for (const [i, n] of s.conversations.entries()) conversations[i]! += n;
        for (const [i, n] of s.leads.entries()) leads[i]! += n;
      }
      return { conversations, leads };
    },
    firstDelays(event) {
      return parts.flatMap((part) => part.firstDelays(event));
    },
    funnelConversations(event, events) {
      return parts.flatMap((part) => part.funnelConversations(event, events));
    },
    available() {
      const out = new Map<number, { leads: number; occurrences: number }>();
      for (const part of parts)
        for (const [e, c] of part.available()) {
          const into = out.get(e);
          if (into) {
            into.leads += c.leads;
            into.occurrences += c.occurrences;
          } else out.set(e, { ...c });
        }
      return out;
    },
    eventLeads(events) {
      const out = new Map<number, number>();
      for (const part of parts)
        for (const [e, l] of part.eventLeads(events)) out.set(e, (out.get(e) ?? 0) + l);
      return out;
    },
    sourceKeysOfKindInRange(kind, except) {
      return [...new Set(parts.flatMap((part) => part.sourceKeysOfKindInRange(kind, except)))];
    },
  };
}
