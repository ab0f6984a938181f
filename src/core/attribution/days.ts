import { DateTime } from 'luxon';

// Local calendar days as integers (days since 1970-01-01 of the local date). Summaries are keyed by them,
// so SQLite never converts timestamps to a timezone: range boundaries are computed here (luxon).

const DAY_MS = 86_400_000;

export function dayOfDate(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return Math.floor(Date.UTC(y, m - 1, d) / DAY_MS);
}

export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Maps unix seconds to the local day in one zone; cached per quarter hour (every real UTC offset is a multiple). */
export class DayKeyer {
  private readonly cache = new Map<number, number>();
  constructor(readonly zone: string) {}

  dayOf(ts: number): number {
    const q = Math.floor(ts / 900);
    let day = this.cache.get(q);
    if (day === undefined) {
      const dt = DateTime.fromSeconds(q * 900, { zone: this.zone });
      day = Math.floor(Date.UTC(dt.year, dt.month - 1, dt.day) / DAY_MS);
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(q, day);
    }
    return day;
  }
}

// Every report resolves its range's midnights; luxon computes each through Intl (tens of microseconds).
// The answer depends only on the day and the zone's rules, so it is kept (bounded like DayKeyer's).
const midnights = new Map<string, number>();

/** Unix seconds of the local midnight that starts `day` in `zone` (DST-aware). */
export function startOfDayTs(day: number, zone: string): number {
  const k = `${day} ${zone}`;
  let ts = midnights.get(k);
  if (ts === undefined) {
    ts = Math.round(DateTime.fromISO(dateOfDay(day), { zone }).startOf('day').toSeconds());
    if (midnights.size > 100_000) midnights.clear();
    midnights.set(k, ts);
  }
  return ts;
}

export function isValidIsoDate(iso: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) && DateTime.fromISO(iso, { zone: 'UTC' }).isValid;
}
