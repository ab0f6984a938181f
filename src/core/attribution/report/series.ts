import type { Report, ReportEvent } from '../../../shared/contract/report';
import { dateOfDay } from '../days';
import type { ReportContext } from './context';
import { bucketsOf, todayDay } from './range';

/** Conversations and leads of the context's range per bucket (day, week or month by the range's length). */
export function seriesOf(
  ctx: ReportContext,
  event: ReportEvent | null,
): { granularity: Report['seriesGranularity']; series: Report['series'] } {
  const { granularity, buckets } = bucketsOf(ctx.range, todayDay(ctx.range.timezone, ctx.opts.now));
  const ev = event ? ctx.eventId(event.id) : null;
  const s = ctx.aggregator().series(ev, buckets);
  return {
    granularity,
    series: buckets.map((b, i) => ({
      bucket: b.bucket,
      to: dateOfDay(b.toDay),
      partial: b.partial,
      conversations: s.conversations[i]!,
      leads: event ? s.leads[i]! : 0,
    })),
  };
}
