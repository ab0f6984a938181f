// @vitest-environment happy-dom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { KpiCards } from '../../src/renderer/src/components/KpiCards';
import { fixtureReport } from './fixtures';

afterEach(cleanup);

describe('KPI cards', () => {
  it('shows every card with its change against the previous period, costs going up in the bad colour', () => {
    render(<KpiCards report={fixtureReport()} />);
    for (const key of [
      'conversations',
      'leads',
      'conversionRate',
      'invested',
      'costPerLead',
      'revenue',
      'roas',
    ])
      expect(screen.getByTestId(`kpi-${key}`)).toBeTruthy();
    // 680/55 = 12.36 vs 500/40 = 12.5: cheaper, so good news.
    const cost = screen.getByTestId('kpi-costPerLead');
    expect(
      within(cost)
        .getByText(/-1[.,]1\s?%/)
        .closest('.kpi-change')!.className,
    ).toContain('good');
    // Conversion rate compares in percentage points.
    expect(within(screen.getByTestId('kpi-conversionRate')).getByText(/pp/)).toBeTruthy();
    // Spend is neither good nor bad.
    expect(
      within(screen.getByTestId('kpi-invested'))
        .getByText(/36[.,]0\s?%/)
        .closest('.kpi-change')!.className,
    ).toContain('neutral');
  });

  it('shows a dash for undefined values and no comparison without a previous value', () => {
    const r = fixtureReport();
    r.totals = { ...r.totals, invested: null, costPerLead: null, roas: null };
    r.previous = { ...r.previous, invested: null, costPerLead: null, roas: null };
    render(<KpiCards report={r} />);
    expect(screen.getByTestId('kpi-costPerLead-value').textContent).toBe('—');
    expect(screen.getByTestId('kpi-roas-value').textContent).toBe('—');
    expect(within(screen.getByTestId('kpi-invested')).getByText('no comparison')).toBeTruthy();
  });

  it('lists amounts in other currencies apart, never summed in', () => {
    const r = fixtureReport();
    r.totals = { ...r.totals, revenueOther: { CHF: 136.91 } };
    render(<KpiCards report={r} />);
    expect(within(screen.getByTestId('kpi-revenue')).getByText(/CHF/)).toBeTruthy();
  });
});
