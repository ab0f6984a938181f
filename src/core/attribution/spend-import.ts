import { parse } from 'csv-parse/sync';
import type { SpendImportResult } from '../../shared/contract/sources';
import { parseSourceKey, ROLLUP_KEY } from '../../shared/source-keys';
import type { Db } from '../db/open';
import { isValidIsoDate } from './days';
import { adOfKey } from './report/ad-platforms';

// Spend of any source from a CSV `date,source_id,amount,currency[,note]` (docs/metrics.md, "Imported
// spend"). Every line is checked first; one bad line imports nothing. Lines of the same source, date and
// currency add up; the file then sets those days' amounts, so the same file twice changes nothing.

const COLUMNS = ['date', 'source_id', 'amount', 'currency', 'note'] as const;
const MAX_ERRORS = 50;
const MICRO = 1_000_000;
/** A plain decimal: digits with an optional fraction (no thousands separators, no sign, no exponent). */
const AMOUNT = /^\d{1,12}(\.\d{1,6})?$/;

interface Day {
  key: string;
  date: string;
  currency: string;
  amount: number;
  notes: string[];
}

/** A cell as quoted in an error message, cut so a stray long value cannot flood the report. */
const quoted = (v: string) => `"${v.length > 60 ? `${v.slice(0, 60)}…` : v}"`;

/** Checks one data line; returns the reason it is refused, or the day it adds to. */
function lineOf(cells: string[]): string | (Omit<Day, 'notes'> & { note: string }) {
  if (cells.length < 4)
    return cells.some((c) => c.includes(';'))
      ? 'columns are separated by semicolons; save the file as CSV with commas'
      : `expected date, source_id, amount, currency[, note]; found ${cells.length} columns`;
  if (cells.length > 5)
    return `expected at most 5 columns (date, source_id, amount, currency, note); found ${cells.length}`;
  const [date, key, amount, currency, note = ''] = cells.map((c) => c.trim()) as [
    string,
    string,
    string,
    string,
    string?,
  ];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !isValidIsoDate(date))
    return `${quoted(date)} is not a date; write YYYY-MM-DD, e.g. 2026-03-01`;
  const { prefix, rest } = parseSourceKey(key);
  if (!prefix || !rest || key.length > 300)
    return `${quoted(key)} is not a source id; copy it from the source table (e.g. kw:flyer or text:hello)`;
  if (key === ROLLUP_KEY)
    return `${key} is the row of folded first messages; give the id of the first message the spend was for`;
  if (adOfKey(key))
    return `${key} is a Meta ad: its spend syncs from Meta (enter a manual amount to override it)`;
  if (!AMOUNT.test(amount))
    return `${quoted(amount)} is not an amount; write a number ≥ 0 with a dot for decimals, e.g. 125.50`;
  const cur = currency.toUpperCase();
  if (!/^[A-Z]{3}$/.test(cur))
    return `${quoted(currency)} is not a currency; write a three-letter code, e.g. USD`;
  if (note.length > 500) return 'the note is longer than 500 characters';
  return { key, date, currency: cur, amount: Math.round(Number(amount) * MICRO), note };
}

/** Reads the file: a header line naming the columns is optional (then its order is used). */
function readDays(csv: string): { lines: number; errors: SpendImportResult['errors']; days: Day[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(csv.replace(/^\uFEFF/, ''), {
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as typeof records;
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    return {
      lines: 0,
      errors: [{ line, reason: `the file is not readable CSV (${(err as Error).message})` }],
      days: [],
    };
  }
  let order: number[] | null = null;
  let width = 5;
  const head = records[0]?.record.map((c) => c.trim().toLowerCase()) ?? [];
  if (head[0] && (COLUMNS as readonly string[]).includes(head[0])) {
    const missing = COLUMNS.slice(0, 4).filter((c) => !head.includes(c));
    const unknown = head.filter((c) => !(COLUMNS as readonly string[]).includes(c));
    if (missing.length > 0 || unknown.length > 0)
      return {
        lines: 0,
        errors: [
          {
            line: 1,
            reason: `the header must name date, source_id, amount, currency and optionally note${
              missing.length ? `; missing ${missing.join(', ')}` : ''
            }${unknown.length ? `; unknown ${unknown.join(', ')}` : ''}`,
          },
        ],
        days: [],
      };
    order = COLUMNS.map((c) => head.indexOf(c)).filter((i) => i >= 0);
    width = head.length;
    records = records.slice(1);
  }
  const errors: SpendImportResult['errors'] = [];
  const days = new Map<string, Day>();
  let bad = 0;
  for (const { record, info } of records) {
    const r =
      order === null
        ? lineOf(record)
        : record.length > width
          ? `expected at most ${width} columns as the header names; found ${record.length}`
          : lineOf(order.map((i) => record[i] ?? ''));
    if (typeof r === 'string') {
      if (++bad <= MAX_ERRORS) errors.push({ line: info.lines, reason: r });
      continue;
    }
    const id = JSON.stringify([r.key, r.date, r.currency]);
    const d = days.get(id) ?? { key: r.key, date: r.date, currency: r.currency, amount: 0, notes: [] };
    d.amount += r.amount;
    if (r.note) d.notes.push(r.note);
    days.set(id, d);
  }
  if (bad > MAX_ERRORS)
    errors.push({ line: records.at(-1)!.info.lines, reason: `and ${bad - MAX_ERRORS} more bad lines` });
  return { lines: records.length, errors, days: [...days.values()] };
}

/** Imports the file in one transaction, or nothing when a line is bad. */
export function importSpend(
  db: Db,
  csv: string,
  fileName: string | null,
  now = Date.now(),
): SpendImportResult {
  const { lines, errors, days } = readDays(csv);
  const result: SpendImportResult = {
    lines,
    errors,
    added: 0,
    replaced: 0,
    unchanged: 0,
    sources: [...new Set(days.map((d) => d.key))].sort(),
    from: null,
    to: null,
  };
  if (errors.length > 0) return { ...result, sources: [] };
  if (days.length === 0)
    return { ...result, errors: [{ line: 1, reason: 'the file has no spend lines' }], sources: [] };
  const current = db.prepare(
    'SELECT amount, note FROM attr_spend_imports WHERE source_key = ? AND date = ? AND currency = ?',
  );
  const upsert = db.prepare(
    `INSERT INTO attr_spend_imports (source_key, date, currency, amount, note, file, imported_at)
     VALUES (@key, @date, @currency, @amount, @note, @file, @now)
     ON CONFLICT (source_key, date, currency) DO UPDATE SET amount = excluded.amount, note = excluded.note,
       file = excluded.file, imported_at = excluded.imported_at`,
  );
  db.transaction(() => {
    for (const d of days) {
      const note = d.notes.length > 0 ? d.notes.join('; ') : null;
      const was = current.get(d.key, d.date, d.currency) as
        | { amount: number; note: string | null }
        | undefined;
      if (was && was.amount === d.amount && was.note === note) {
        result.unchanged++;
        continue;
      }
      if (was) result.replaced++;
      else result.added++;
      upsert.run({ ...d, note, file: fileName, now });
    }
  })();
  const dates = days.map((d) => d.date).sort();
  return { ...result, from: dates[0]!, to: dates[dates.length - 1]! };
}
