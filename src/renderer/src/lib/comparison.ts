import type { Report } from '../../../shared/contract';
import { formatDate, formatRange } from './format';

/**
 * What a KPI card says about the previous period (docs/metrics.md "Previous period"): a change only when
 * the number already had data for the whole previous period; otherwise why there is none.
 */
export interface PreviousNote {
  /** Show the change against the previous period. */
  compare: boolean;
  /** Wording instead of a change ("no comparison", "from 3 Dec 2025"). */
  text: string | null;
  /** Longer explanation for the tooltip. */
  title: string | null;
}

export function previousNote(
  previous: Pick<Report['previous'], 'range' | 'comparison' | 'dataFrom' | 'compare'>,
  /** Whose first conversation: "This number's" on the dashboard, "This workspace's" in the overview. */
  whose = "This number's",
): PreviousNote {
  const range = formatRange(previous.range.from, previous.range.to);
  if (previous.compare === 'none')
    return {
      compare: false,
      text: 'not compared',
      title: 'Comparison is off (Compare with: No comparison).',
    };
  if (previous.comparison === 'none')
    return {
      compare: false,
      text: 'no comparison',
      title: previous.dataFrom
        ? `${whose} first conversation was on ${formatDate(previous.dataFrom)}, after the previous period (${range}).`
        : `${whose.replace(/'s$/, '')} has no conversations yet.`,
    };
  if (previous.comparison === 'partial' && previous.dataFrom)
    return {
      compare: false,
      text: `from ${formatDate(previous.dataFrom)}`,
      title: `The previous period (${range}) has data only from ${whose.toLowerCase()} first conversation on ${formatDate(previous.dataFrom)}; a change against part of a period would mislead.`,
    };
  return { compare: true, text: null, title: null };
}
