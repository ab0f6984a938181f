import type { RangeInput, RangePreset } from '../../../shared/contract';

export const PRESETS: { id: RangePreset; label: string; long: string }[] = [
  { id: '7d', label: '7D', long: 'Last 7 days' },
  { id: '14d', label: '14D', long: 'Last 14 days' },
  { id: '30d', label: '30D', long: 'Last 30 days' },
  { id: '6m', label: '6M', long: 'Last 6 months' },
  { id: '12m', label: '12M', long: 'Last 12 months' },
];

/** Calendar presets (docs/metrics.md "Range"), offered in the range picker's menu beside custom dates. */
export const CALENDAR_PRESETS: { id: RangePreset; label: string }[] = [
  { id: 'this-month', label: 'This month' },
  { id: 'last-month', label: 'Last month' },
  { id: 'this-year', label: 'This year' },
];

export type RangeSelection = { preset: RangePreset } | { from: string; to: string };

export const DEFAULT_RANGE: RangeSelection = { preset: '30d' };

export function toRangeInput(r: RangeSelection): RangeInput {
  return 'preset' in r ? { preset: r.preset } : { from: r.from, to: r.to };
}

/** A custom range is valid when both dates exist and from ≤ to. */
export function validCustomRange(from: string, to: string): string | null {
  const re = /^\d{4}-\d{2}-\d{2}$/;
  if (!re.test(from) || !re.test(to)) return 'Pick both dates';
  if (from > to) return 'The start must be on or before the end';
  return null;
}
