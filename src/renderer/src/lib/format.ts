// Intl formatting for every number on screen. One place so the table, the cards and the exports agree.
// "—" marks a value that is undefined (no spend, no leads), never 0 or NaN (docs: dashboard-ux.md).

export const DASH = '—';

const cache = new Map<string, Intl.NumberFormat>();
function nf(locale: string | undefined, key: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const k = `${locale ?? ''}|${key}`;
  let f = cache.get(k);
  if (!f) {
    f = new Intl.NumberFormat(locale, opts);
    cache.set(k, f);
  }
  return f;
}

const isNum = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

export function formatInt(v: number | null | undefined, locale?: string): string {
  return isNum(v) ? nf(locale, 'int', { maximumFractionDigits: 0 }).format(v) : DASH;
}

/** 1.2K, 3.4M — for big numbers in cards; the exact value goes in a title attribute. */
export function formatCompact(v: number | null | undefined, locale?: string): string {
  if (!isNum(v)) return DASH;
  if (Math.abs(v) < 10_000) return formatInt(v, locale);
  return nf(locale, 'compact', { notation: 'compact', maximumFractionDigits: 1 }).format(v);
}

/** Money in major units with the currency; whole amounts above 1,000 drop the cents. */
export function formatMoney(v: number | null | undefined, currency: string, locale?: string): string {
  if (!isNum(v)) return DASH;
  const big = Math.abs(v) >= 1000;
  try {
    return nf(locale, `money-${currency}-${big}`, {
      style: 'currency',
      currency,
      ...(big ? { maximumFractionDigits: 0, minimumFractionDigits: 0 } : {}),
    }).format(v);
  } catch {
    // An unknown code still shows the amount.
    return `${nf(locale, 'money-plain', { maximumFractionDigits: 2 }).format(v)} ${currency}`;
  }
}

/** A fraction (0..1) as a percentage with one decimal. */
export function formatPercent(v: number | null | undefined, locale?: string): string {
  return isNum(v)
    ? nf(locale, 'pct', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v)
    : DASH;
}

/** A fraction (0..1) as a whole percentage, where space is short (a table row's second line). */
export function formatPercentWhole(v: number | null | undefined, locale?: string): string {
  return isNum(v) ? nf(locale, 'pct0', { style: 'percent', maximumFractionDigits: 0 }).format(v) : DASH;
}

/** ROAS as a multiple: 3.2×. */
export function formatRatio(v: number | null | undefined, locale?: string): string {
  return isNum(v)
    ? `${nf(locale, 'ratio', { minimumFractionDigits: 1, maximumFractionDigits: 2 }).format(v)}×`
    : DASH;
}

/** Amounts kept apart per currency ("+ €120, £40"); empty when there are none. */
export function formatOtherMoney(other: Record<string, number> | undefined, locale?: string): string {
  if (!other) return '';
  return Object.entries(other)
    .filter(([, v]) => v !== 0)
    .map(([c, v]) => formatMoney(v, c, locale))
    .join(', ');
}

/** A duration in seconds as the largest two units: "3 d 4 h", "12 min", "40 s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (!isNum(seconds)) return DASH;
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}

const dtfCache = new Map<string, Intl.DateTimeFormat>();
// Creating a DateTimeFormat costs far more than using one; a chart formats hundreds of labels per update.
function dtf(locale: string | undefined, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${JSON.stringify(opts)}`;
  let f = dtfCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, opts);
    dtfCache.set(key, f);
  }
  return f;
}

/** YYYY-MM-DD as a local calendar date, without shifting through UTC. */
export function formatDate(
  iso: string | null | undefined,
  locale?: string,
  opts?: Intl.DateTimeFormatOptions,
): string {
  if (!iso) return DASH;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return formatDateTime(iso, locale);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return dtf(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
    ...opts,
  }).format(d);
}

export function formatDateTime(iso: string | null | undefined, locale?: string, timeZone?: string): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return DASH;
  return dtf(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(timeZone ? { timeZone } : {}),
  }).format(d);
}

/** "1 Mar – 30 Mar 2026", the year once when both dates share it. */
export function formatRange(from: string, to: string, locale?: string): string {
  const sameYear = from.slice(0, 4) === to.slice(0, 4);
  const a = formatDate(from, locale, sameYear ? { year: undefined } : {});
  return `${a} – ${formatDate(to, locale)}`;
}

/** "5 min ago", "yesterday" — for last-synced times. */
export function formatAgo(iso: string | null | undefined, now = Date.now(), locale?: string): string {
  if (!iso) return DASH;
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return DASH;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const sec = Math.round((t - now) / 1000);
  const abs = Math.abs(sec);
  if (abs < 45) return rtf.format(0, 'second');
  if (abs < 3600) return rtf.format(Math.round(sec / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(sec / 3600), 'hour');
  return rtf.format(Math.round(sec / 86_400), 'day');
}

export interface Change {
  /** Text such as "+12.5%" or "−1.2 pp"; null when there is nothing to compare. */
  text: string | null;
  direction: 'up' | 'down' | 'flat';
}

/**
 * Change against the previous period. Rates compare in percentage points (a 10% → 12% conversion
 * rate is "+2.0 pp", not "+20%"); everything else relatively. No previous value → no change shown.
 */
export function formatChange(
  current: number | null | undefined,
  previous: number | null | undefined,
  mode: 'relative' | 'points' = 'relative',
  locale?: string,
): Change {
  if (!isNum(current) || !isNum(previous)) return { text: null, direction: 'flat' };
  const one = nf(locale, 'chg', {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  });
  if (mode === 'points') {
    const pp = (current - previous) * 100;
    const rounded = Math.round(pp * 10) / 10;
    return {
      text: `${one.format(rounded)} pp`,
      direction: rounded > 0 ? 'up' : rounded < 0 ? 'down' : 'flat',
    };
  }
  if (previous === 0)
    return current === 0 ? { text: '0%', direction: 'flat' } : { text: 'new', direction: 'up' };
  const rel = Math.round(((current - previous) / Math.abs(previous)) * 1000) / 10;
  return { text: `${one.format(rel)}%`, direction: rel > 0 ? 'up' : rel < 0 ? 'down' : 'flat' };
}

/**
 * Makes the formats the dashboard's first render uses, ahead of it. The first number and date formats of a
 * renderer process load the locale's data (about 40 ms, twice that on a busy machine) and each further
 * format costs a few milliseconds more: made while the launch's report is being counted, they are not paid
 * inside the first render. The workspace currency is not known yet; a currency format loads the shared data.
 */
export function warmFormats(): void {
  formatCompact(12_345);
  formatPercent(0.5);
  formatPercentWhole(0.5);
  formatRatio(1.5);
  formatMoney(1, 'USD');
  formatMoney(1000, 'USD');
  formatRange('2026-01-01', '2026-01-31');
  formatRange('2025-12-01', '2026-01-31');
  formatDate('2026-01-01', undefined, { day: undefined, month: 'short', year: 'numeric' });
}
