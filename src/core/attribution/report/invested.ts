import type { SourceRow } from '../../../shared/contract/report';
import type { Db } from '../../db/open';
import { cachedStatement } from '../../db/statements';
import { dayOfDate } from '../days';
import type { SpendSummary } from './ad-platform';
import { adOfKey } from './ad-platforms';
import { IMPORTED, importedDailySpend } from './imported-spend';

// Invested (docs/metrics.md): an ad platform's synced spend of an ad on the range's dates (plain dates), or
// the imported daily spend of any other source, and manual entries prorated by overlapping days. Per day the
// most recently saved entry wins over older entries and over synced or imported spend; entries never add up.

export interface Invested {
  /** In the workspace currency; null when nothing in that currency overlaps the range. */
  invested: number | null;
  other: Record<string, number>;
  from: SourceRow['investedFrom'];
}

export interface ManualEntry {
  id: number;
  source_key: string;
  amount: number;
  currency: string;
  from_date: string;
  to_date: string;
  saved_at: number;
}

/** Manual entries overlapping [from, to], oldest first. */
export function manualEntries(db: Db, from: string, to: string): Map<string, ManualEntry[]> {
  const rows = cachedStatement(
    db,
    'SELECT * FROM attr_investments WHERE to_date >= ? AND from_date <= ? ORDER BY id',
  ).all(from, to) as ManualEntry[];
  const out = new Map<string, ManualEntry[]>();
  for (const r of rows) {
    const list = out.get(r.source_key);
    if (list) list.push(r);
    else out.set(r.source_key, [r]);
  }
  return out;
}

export function computeInvested(
  db: Db,
  keys: string[],
  from: string,
  to: string,
  currency: string,
  manual: Map<string, ManualEntry[]>,
  /** Spend of every ad among `keys` over [from, to], by source key (spendOfKeys). */
  spend: Map<string, SpendSummary>,
  /** Imported spend over [from, to] by source key (importedSpend); never an ad's (the import refuses them). */
  imported: Map<string, Map<string, number>>,
): Map<string, Invested> {
  const out = new Map<string, Invested>();
  for (const key of keys) {
    // A source's spend comes from its ad platform, else from the imported rows.
    const ad = adOfKey(key);
    const origin: Invested['from'] = ad ? ad.platform.investedFrom : IMPORTED;
    const entries = manual.get(key);
    out.set(
      key,
      entries
        ? withEntries(
            // Only manual entries need the spend per day; the other sources' sums over the range are enough.
            (f, t) => (ad ? ad.platform.dailySpend(db, ad.ad, f, t) : importedDailySpend(db, key, f, t)),
            origin,
            entries,
            from,
            to,
            currency,
          )
        : split(ad ? spend.get(key)?.spend : imported.get(key), currency, origin),
    );
  }
  return out;
}

/** Sums per currency as Invested: the workspace currency, the others apart. */
function split(sums: Map<string, number> | undefined, currency: string, from: Invested['from']): Invested {
  if (!sums || sums.size === 0) return { invested: null, other: {}, from: null };
  const other: Record<string, number> = {};
  for (const [cur, amount] of sums) if (cur !== currency) other[cur] = amount;
  return { invested: sums.get(currency) ?? null, other, from };
}

/** Winner per day: the most recently saved entry covering it, else that day's synced or imported spend. */
function withEntries(
  dailyRows: (from: string, to: string) => { date: string; currency: string; spend: number }[],
  origin: Invested['from'],
  entries: ManualEntry[],
  from: string,
  to: string,
  currency: string,
): Invested {
  const sums = new Map<string, number>();
  const add = (cur: string, amount: number) => sums.set(cur, (sums.get(cur) ?? 0) + amount);
  const spans = entries.map((e) => ({ e, from: dayOfDate(e.from_date), to: dayOfDate(e.to_date), won: 0 }));
  const first = dayOfDate(from);
  // wonDays[d - first] = 1: an entry won day d (a typed array: ranges run to years of days, per source).
  const wonDays = new Uint8Array(Math.max(0, dayOfDate(to) - first + 1));
  for (let d = first; d - first < wonDays.length; d++) {
    for (let i = spans.length - 1; i >= 0; i--) {
      const s = spans[i]!;
      if (d >= s.from && d <= s.to) {
        s.won++;
        wonDays[d - first] = 1;
        break;
      }
    }
  }
  let man = false;
  for (const s of spans) {
    if (s.won === 0) continue;
    add(s.e.currency, (s.e.amount * s.won) / (s.to - s.from + 1));
    man = true;
  }
  let synced = false;
  for (const r of dailyRows(from, to)) {
    if (wonDays[dayOfDate(r.date) - first] === 1) continue;
    add(r.currency, r.spend);
    synced = true;
  }
  return split(sums, currency, synced && man ? 'mixed' : synced ? origin : man ? 'manual' : null);
}
