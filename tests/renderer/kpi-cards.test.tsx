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
  it('says "no comparison" when the previous period lies before the first conversation', () => {
    const r = fixtureReport();
    // A small previous period would have given "+79,677.8%" before.
    r.previous = { ...r.previous, conversations: 1, comparison: 'none', dataFrom: '2026-03-05' };
    render(<KpiCards report={r} />);
    const change = screen.getByTestId('kpi-conversations-change');
    expect(change.textContent).toBe('no comparison');
    expect(change.getAttribute('title')).toMatch(/first conversation was on (5 Mar|Mar 5,) 2026/);
    expect(screen.queryByText(/%/, { selector: '.kpi-change *' })).toBeNull();
  });

  it('says from when the data begins when the previous period is only partly covered', () => {
    const r = fixtureReport();
    r.previous = { ...r.previous, conversations: 3, comparison: 'partial', dataFrom: '2026-02-20' };
    render(<KpiCards report={r} />);
    for (const key of ['conversations', 'leads', 'conversionRate', 'roas'])
      expect(screen.getByTestId(`kpi-${key}-change`).textContent).toMatch(/^from (20 Feb|Feb 20,) 2026$/);
    expect(screen.getByTestId('kpi-leads-change').getAttribute('title')).toMatch(/data only from/);
  });

  it('shows conversion cost and ROAS over the paid sources next to the overall figures', () => {
    render(<KpiCards report={fixtureReport()} />);
    // 680 invested over 27 paid leads, against 680 over all 55 leads overall.
    expect(screen.getByTestId('kpi-costPerLead-paid').textContent).toMatch(/Paid sources: €25[.,]19/);
    expect(screen.getByTestId('kpi-roas-paid').textContent).toMatch(/Paid sources: 2[.,]21×/);
    expect(screen.getByTestId('kpi-costPerLead-paid').getAttribute('title')).toMatch(/3 sources/);
    const none = fixtureReport();
    none.paid = { ...none.paid, sources: 0, invested: null, costPerLead: null, roas: null };
    cleanup();
    render(<KpiCards report={none} />);
    expect(screen.queryByTestId('kpi-costPerLead-paid')).toBeNull();
  });
});
