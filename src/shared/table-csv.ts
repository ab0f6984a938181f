// The source table as CSV, for a spreadsheet: the dashboard's "Export table" and `insights report --format csv`
// write the same file. Numbers stay numbers (a rate is 0.183, not "18.3%"); amounts in another currency get
// their own columns, never summed into the workspace currency (docs/metrics.md "Exports").

/** One line of the table: a source, a campaign/ad set group, a folded source, or the totals. */
export interface CsvRow {
  name: string;
  /** Empty for groups and the totals row. */
  id: string;
  kind: string;
  conversations: number;
  leads: number | null;
  conversionRate: number | null;
  invested: number | null;
  investedFrom: string | null;
  investedOther: Record<string, number>;
  costPerLead: number | null;
  revenue: number | null;
  revenueOther: Record<string, number>;
  roas: number | null;
  /** Nesting under a group or the rollup (indented with two spaces per level). */
  depth?: number;
}

/** What the numbers are of: stated in the file name (a header block would break a spreadsheet's import). */
export interface CsvScope {
  phone: string | null | undefined;
  from: string;
  to: string;
  timezone: string;
  event: string | null;
}

/** A cell Excel will not run as a formula (=, +, -, @, tab or CR at the start gets an apostrophe). */
export function csvSafe(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = typeof v === 'number' ? String(v) : csvSafe(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  // The BOM makes Excel read UTF-8; CRLF is what RFC 4180 asks for (https://www.rfc-editor.org/rfc/rfc4180, §2).
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

const money = (v: number | null) => (v === null ? null : round(v, 2));
const ratio = (v: number | null) => (v === null ? null : round(v, 4));

/** The rows in order, then the totals row (its `name` is the label, e.g. "Total" or "Total of 3 shown rows"). */
export function sourcesCsv(rows: readonly CsvRow[], total: CsvRow, currency: string): string {
  const all = [...rows, total];
  const currencies = (pick: (r: CsvRow) => Record<string, number>) =>
    [...new Set(all.flatMap((r) => Object.keys(pick(r))))].filter((c) => c !== currency).sort();
  const investedCur = currencies((r) => r.investedOther);
  const revenueCur = currencies((r) => r.revenueOther);
  const header = [
    'Source',
    'Source id',
    'Kind',
    'Conversations',
    'Leads',
    'Conversion rate',
    `Invested (${currency})`,
    ...investedCur.map((c) => `Invested (${c})`),
    'Invested from',
    `Conversion cost (${currency})`,
    `Revenue (${currency})`,
    ...revenueCur.map((c) => `Revenue (${c})`),
    'ROAS',
  ];
  const line = (r: CsvRow): (string | number | null)[] => [
    `${'  '.repeat(r.depth ?? 0)}${r.name}`,
    r.id,
    r.kind,
    r.conversations,
    r.leads,
    ratio(r.conversionRate),
    money(r.invested),
    ...investedCur.map((c) => money(r.investedOther[c] ?? null)),
    r.investedFrom,
    money(r.costPerLead),
    money(r.revenue),
    ...revenueCur.map((c) => money(r.revenueOther[c] ?? null)),
    ratio(r.roas),
  ];
  return toCsv(header, all.map(line));
}

const slug = (v: string) => v.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');

/** insights-sources-4915112345678-2026-03-01_2026-03-30-Europe_Berlin-ext_Purchase (no extension). */
export function csvFileName(kind: string, s: CsvScope): string {
  const digits = (s.phone ?? '').replace(/\D/g, '') || 'all';
  return [
    'insights',
    kind,
    digits,
    `${s.from}_${s.to}`,
    slug(s.timezone),
    s.event ? slug(s.event).slice(0, 60) : 'no_event',
  ].join('-');
}
