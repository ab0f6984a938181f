import { ApiError } from '../../../shared/contract/errors';
import type { FunnelStep } from '../../../shared/contract/report';
import { shareOf } from '../../../shared/rates';
import { parseEventKey } from '../classify';
import type { ReportContext } from './context';

/** "Conversations started", then per step the conversations that reached it in order, and their median delay. */
export function funnelOf(ctx: ReportContext, steps: string[], conversations: number): FunnelStep[] {
  const out: FunnelStep[] = [
    {
      eventId: null,
      label: 'Conversations started',
      conversations,
      rateFromStart: shareOf(conversations, conversations),
      rateFromPrevious: shareOf(conversations, conversations),
      medianSecondsFromStart: conversations > 0 ? 0 : null,
    },
  ];
  if (steps.length === 0) return out;
  const infos = steps.map((key) => {
    const info = parseEventKey(key);
    if (!info) throw new ApiError('invalid_argument', `"${key}" is not an event id`, 'funnel');
    return info;
  });
  const ids = steps.map((k) => ctx.eventId(k));
  const agg = ctx.aggregator();
  const delays: number[][] = steps.map(() => []);
  if (ids[0] !== null && ids[0] !== undefined) {
    if (steps.length === 1) delays[0] = agg.firstDelays(ids[0]);
    else {
      const known = ids.filter((x): x is number => x !== null);
      for (const c of agg.funnelConversations(ids[0], known)) {
        let t = c.start;
        for (let i = 0; i < steps.length; i++) {
          const id = ids[i];
          if (id === null || id === undefined) break;
          const strict = ids.slice(0, i).includes(id);
          const next = (c.occurrences.get(id) ?? []).find((ts) => (strict ? ts > t : ts >= t));
          if (next === undefined) break;
          t = next;
          delays[i]!.push(t - c.start);
        }
      }
    }
  }
  let prev = conversations;
  steps.forEach((key, i) => {
    const n = delays[i]!.length;
    out.push({
      eventId: key,
      label: infos[i]!.label,
      conversations: n,
      rateFromStart: shareOf(n, conversations),
      rateFromPrevious: shareOf(n, prev),
      medianSecondsFromStart: median(delays[i]!),
    });
    prev = n;
  });
  return out;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
