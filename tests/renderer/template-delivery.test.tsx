// @vitest-environment happy-dom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, expect, it } from 'vitest';
import { SourceTable } from '../../src/renderer/src/components/SourceTable';
import type { TemplateDelivery } from '../../src/shared/contract';
import { fixtureReport } from './fixtures';

afterEach(cleanup);

const welcome: TemplateDelivery = {
  sourceId: 'tpl:welcome',
  template: 'welcome',
  sent: 1200,
  delivered: 1150,
  read: 850,
  failed: 30,
  pending: 20,
  replied: 96,
  deliveredRate: 1150 / 1200,
  readRate: 850 / 1200,
  replyRate: 96 / 1200,
  billable: 1150,
  categories: { marketing: 1150 },
  errors: [{ code: '131026', title: 'Message undeliverable', messages: 30 }],
};

it('a template row shows its delivery under the name, the exact figures in its title; other rows none', () => {
  render(
    <SourceTable
      report={fixtureReport()}
      loading={false}
      error={null}
      delivery={new Map([[welcome.sourceId, welcome]])}
    />,
  );
  const row = screen
    .getAllByTestId('source-row')
    .find((r) => r.getAttribute('data-source-id') === 'tpl:welcome')!;
  const line = within(row).getByTestId('delivery-line');
  expect(line.textContent).toBe('1,200 sent · 96% delivered · 71% read · 3% failed');
  expect(line.getAttribute('title')).toBe(
    '1,200 sent, 1,150 delivered (95.8%), 850 read (70.8%), 30 failed, 96 replied',
  );
  expect(screen.getAllByTestId('delivery-line')).toHaveLength(1);
});

it('without delivery figures (not asked yet, or no sends in the range) the row is as before', () => {
  render(<SourceTable report={fixtureReport()} loading={false} error={null} />);
  expect(screen.queryByTestId('delivery-line')).toBeNull();
});
