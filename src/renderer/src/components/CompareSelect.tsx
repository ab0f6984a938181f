import type { CompareTo } from '../../../shared/contract';
import { useDashboard } from '../state/context';

export const COMPARE_LABEL: Record<CompareTo, string> = {
  previous: 'Previous period',
  year: 'Same period last year',
  none: 'No comparison',
};

/** What the figures are compared with (docs/metrics.md "Previous period"); remembered. */
export function CompareSelect() {
  const compare = useDashboard((s) => s.compare);
  const setCompare = useDashboard((s) => s.setCompare);
  return (
    <label className="field-inline compare-field">
      <span className="muted small">Compare with</span>
      <select
        className="select"
        value={compare}
        onChange={(e) => setCompare(e.target.value as CompareTo)}
        data-testid="compare-select"
      >
        {(Object.keys(COMPARE_LABEL) as CompareTo[]).map((c) => (
          <option key={c} value={c}>
            {COMPARE_LABEL[c]}
          </option>
        ))}
      </select>
    </label>
  );
}
