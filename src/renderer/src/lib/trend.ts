import type { Report } from '../../../shared/contract';
import { formatDate, formatRange } from './format';

type Point = Report['series'][number];
type Granularity = Report['seriesGranularity'];

const UNIT = { day: 'day', week: 'week', month: 'month' } as const;

/** Axis label: "4 Mar" for days and weeks (the bucket's first date), "Dec 2025" for months — never "Dec 25". */
export function bucketLabel(p: Point, g: Granularity): string {
  if (g === 'month')
    return formatDate(p.bucket, undefined, { day: undefined, month: 'short', year: 'numeric' });
  return formatDate(p.bucket, undefined, { year: undefined });
}

/** The bucket's real dates: "4 Mar 2026", "4 – 8 Mar 2026", "1 – 31 Dec 2025". */
export function bucketDates(p: Point): string {
  return p.bucket === p.to ? formatDate(p.bucket) : formatRange(p.bucket, p.to);
}

/** Tooltip note for a bucket the range or today cuts short (docs/metrics.md "Series"). */
export function partialNote(p: Point, g: Granularity): string | null {
  return p.partial ? `Partial ${UNIT[g]}: counts ${bucketDates(p)} only` : null;
}

/**
 * A line segment touching a partial bucket is dashed (Chart.js segment styling,
 * https://www.chartjs.org/docs/latest/samples/line/segments.html).
 */
export function segmentDash(
  series: readonly Point[],
): (ctx: { p0DataIndex: number; p1DataIndex: number }) => number[] | undefined {
  return (ctx) => (series[ctx.p0DataIndex]?.partial || series[ctx.p1DataIndex]?.partial ? [6, 4] : undefined);
}
