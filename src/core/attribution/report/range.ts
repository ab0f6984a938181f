import { DateTime } from 'luxon';
import { ApiError } from '../../../shared/contract/errors';
import type { RangeInput } from '../../../shared/contract/report';
import { dateOfDay, dayOfDate, isValidIsoDate, startOfDayTs } from '../days';

// Report ranges (docs/metrics.md "Range"): inclusive local dates; boundaries in unix seconds are
// computed here with luxon so SQL compares plain integers.

export interface ResolvedRange {
  from: string;
  to: string;
  timezone: string;
  fromDay: number;
  toDay: number;
  /** [startTs, endTs): local midnight of `from` to local midnight after `to`. */
  startTs: number;
  endTs: number;
  days: number;
  /** Calendar presets (This month, Last month, This year): their previous period is the same span one month or year back. */
  calendar?: 'month' | 'year';
}

export function rangeOfDays(fromDay: number, toDay: number, timezone: string): ResolvedRange {
  return {
    from: dateOfDay(fromDay),
    to: dateOfDay(toDay),
    timezone,
    fromDay,
    toDay,
    startTs: startOfDayTs(fromDay, timezone),
    endTs: startOfDayTs(toDay + 1, timezone),
    days: toDay - fromDay + 1,
  };
}

/** Presets end today in the report timezone; 6M/12M start the day after today minus 6/12 months (clamped). */
export function resolveRange(
  input: RangeInput,
  timezone: string,
  now: DateTime = DateTime.now(),
): ResolvedRange {
  const today = now.setZone(timezone);
  const todayDay = dayOfDate(today.toISODate()!);
  if ('preset' in input) {
    switch (input.preset) {
      case '7d':
        return rangeOfDays(todayDay - 6, todayDay, timezone);
      case '14d':
        return rangeOfDays(todayDay - 13, todayDay, timezone);
      case '30d':
        return rangeOfDays(todayDay - 29, todayDay, timezone);
      case '6m':
      case '12m': {
        const months = input.preset === '6m' ? 6 : 12;
        const back = DateTime.fromISO(today.toISODate()!, { zone: 'UTC' }).minus({ months });
        return rangeOfDays(dayOfDate(back.toISODate()!) + 1, todayDay, timezone);
      }
      case 'this-month':
      case 'last-month':
      case 'this-year': {
        const local = DateTime.fromISO(today.toISODate()!, { zone: 'UTC' });
        const unit = input.preset === 'this-year' ? 'year' : 'month';
        const start = (input.preset === 'last-month' ? local.minus({ months: 1 }) : local).startOf(unit);
        const end = input.preset === 'last-month' ? start.endOf('month') : local;
        return {
          ...rangeOfDays(dayOfDate(start.toISODate()!), dayOfDate(end.toISODate()!), timezone),
          calendar: unit,
        };
      }
    }
  }
  if (!isValidIsoDate(input.from))
    throw new ApiError('invalid_argument', `"${input.from}" is not a valid date`, 'from');
  if (!isValidIsoDate(input.to))
    throw new ApiError('invalid_argument', `"${input.to}" is not a valid date`, 'to');
  const fromDay = dayOfDate(input.from);
  const toDay = dayOfDate(input.to);
  if (fromDay > toDay) throw new ApiError('invalid_argument', 'from must not be after to', 'from');
  if (toDay - fromDay > 3660)
    throw new ApiError('invalid_argument', 'a range covers at most ten years', 'from');
  return rangeOfDays(fromDay, toDay, timezone);
}

/** What the previous figures compare with (docs/metrics.md "Previous period"). */
export type CompareTo = 'previous' | 'year' | 'none';

/**
 * The previous period: the same number of calendar days ending the day before `from`; for a calendar
 * preset the same span one month (This month, Last month) or year (This year) back. `year`: the same
 * dates one year back.
 */
export function previousRange(
  r: ResolvedRange,
  compare: Exclude<CompareTo, 'none'> = 'previous',
): ResolvedRange {
  if (compare === 'year') return shiftedRange(r, { years: 1 });
  if (r.calendar) return shiftedRange(r, r.calendar === 'year' ? { years: 1 } : { months: 1 });
  return rangeOfDays(r.fromDay - r.days, r.fromDay - 1, r.timezone);
}

/**
 * Both dates moved back by calendar months or years, clamped to the month's end (29 Feb → 28 Feb); a `to`
 * on the last day of its month stays on the last day (Last month = February → all of January).
 */
function shiftedRange(r: ResolvedRange, by: { months: number } | { years: number }): ResolvedRange {
  const from = DateTime.fromISO(r.from, { zone: 'UTC' }).minus(by);
  const toDate = DateTime.fromISO(r.to, { zone: 'UTC' });
  const shifted = toDate.minus(by);
  const to = toDate.day === toDate.daysInMonth ? shifted.endOf('month') : shifted;
  return rangeOfDays(dayOfDate(from.toISODate()!), dayOfDate(to.toISODate()!), r.timezone);
}

export type Granularity = 'day' | 'week' | 'month';

export interface Bucket {
  bucket: string;
  fromDay: number;
  toDay: number;
  /** Cut short: by the range (a 4-day first week) or because it is not over yet (the current month). */
  partial: boolean;
}

/** Today's local day in a zone. */
export function todayDay(timezone: string, now: DateTime = DateTime.now()): number {
  return dayOfDate(now.setZone(timezone).toISODate()!);
}

/**
 * Every bucket of the range, by day (≤ 31 days), ISO week (≤ 184 days) or calendar month; clipped to the
 * range. A bucket is partial when the range clips its calendar day/week/month or when that period has
 * not ended before `today` (docs/metrics.md "Series").
 */
export function bucketsOf(
  r: ResolvedRange,
  today: number = Number.POSITIVE_INFINITY,
): { granularity: Granularity; buckets: Bucket[] } {
  const granularity: Granularity = r.days <= 31 ? 'day' : r.days <= 184 ? 'week' : 'month';
  const buckets: Bucket[] = [];
  let d = r.fromDay;
  while (d <= r.toDay) {
    let start: number;
    let next: number;
    if (granularity === 'day') {
      start = d;
      next = d + 1;
    } else if (granularity === 'week') {
      const weekday = (((d + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Monday
      start = d - weekday;
      next = start + 7;
    } else {
      const month = DateTime.fromISO(dateOfDay(d), { zone: 'UTC' }).startOf('month');
      start = dayOfDate(month.toISODate()!);
      next = dayOfDate(month.plus({ months: 1 }).toISODate()!);
    }
    const toDay = Math.min(next - 1, r.toDay);
    const partial = d > start || toDay < next - 1 || next - 1 >= today;
    buckets.push({ bucket: dateOfDay(d), fromDay: d, toDay, partial });
    d = next;
  }
  return { granularity, buckets };
}
