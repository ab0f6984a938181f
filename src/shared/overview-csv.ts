import type { OverviewRow } from './contract/overview';
import { relativeChange } from './rates';
import { toCsv } from './table-csv';

// The agency overview as rows (the CLI's table and CSV): one per workspace and currency, since amounts
// of two currencies are never added (docs/metrics.md "Agency overview").

export const OVERVIEW_COLUMNS = [
  'Workspace',
  'Numbers',
  'Conversations',
  'Conversations change',
  'Leads',
  'Leads change',
  'Converted',
  'Converted change (pp)',
  'Currency',
  'Invested',
  'Invested change',
  'Conversion cost',
  'Revenue',
  'Revenue change',
  'ROAS',
  'Compared with',
  'Comparison',
  'Last data received',
  'Error',
] as const;

const round = (v: number | null, digits: number) =>
  v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits;

/** One line per workspace and currency; changes only when the comparison is `full`. */
export function overviewLines(rows: readonly OverviewRow[]): (string | number | null)[][] {
  const out: (string | number | null)[][] = [];
  for (const r of rows) {
    const o = r.overview;
    if (!o) {
      out.push([r.workspace, ...OVERVIEW_COLUMNS.slice(1, -1).map(() => null), r.error]);
      continue;
    }
    const f = o.figures;
    const p = o.previous;
    const full = p.comparison === 'full';
    const chg = (now: number | null, before: number | null) =>
      full ? round(relativeChange(now, before), 4) : null;
    for (const m of f.money) {
      const pm = p.money.find((x) => x.currency === m.currency);
      out.push([
        r.workspace,
        o.numbers,
        f.conversations,
        chg(f.conversations, p.conversations),
        f.leads,
        chg(f.leads, p.leads),
        round(f.conversionRate, 4),
        full ? round((f.conversionRate - p.conversionRate) * 100, 1) : null,
        m.currency,
        round(m.invested, 2),
        chg(m.invested, pm?.invested ?? null),
        round(m.costPerLead, 2),
        round(m.revenue, 2),
        chg(m.revenue, pm?.revenue ?? null),
        round(m.roas, 4),
        `${p.range.from}..${p.range.to}`,
        p.comparison,
        o.lastDataAt,
        null,
      ]);
    }
  }
  return out;
}

export function overviewCsv(rows: readonly OverviewRow[]): string {
  return toCsv([...OVERVIEW_COLUMNS], overviewLines(rows));
}
