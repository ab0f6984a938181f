// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SourceTable } from '../../src/renderer/src/components/SourceTable';
import { buildRows, searchRows, sourceTableCsv, totalRow } from '../../src/renderer/src/lib/sources';
import { fixtureReport, fixtureSources, source } from './fixtures';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const names = () => screen.getAllByTestId('source-row').map((r) => r.getAttribute('data-source-id'));

describe('source table', () => {
  it('sorts by conversations descending first, and by any column on click', () => {
    render(<SourceTable report={fixtureReport()} loading={false} error={null} />);
    expect(names()).toEqual(['ad:111', 'kw:promo10', 'ad:112', 'tpl:welcome', 'text:*']);
    fireEvent.click(screen.getByRole('button', { name: /^Converted/ }));
    // Descending first: 25% (ad:111), 25% (kw) … nulls never above numbers.
    expect(names()[0]).toMatch(/ad:111|kw:promo10/);
    expect(screen.getByRole('columnheader', { name: /Converted/ }).getAttribute('aria-sort')).toBe(
      'descending',
    );
    fireEvent.click(screen.getByRole('button', { name: /^Source/ }));
    expect(names()).toEqual(['text:*', 'kw:promo10', 'ad:112', 'ad:111', 'tpl:welcome']);
    fireEvent.click(screen.getByRole('button', { name: /^Invested/ }));
    expect(names().slice(0, 3)).toEqual(['ad:111', 'ad:112', 'tpl:welcome']);
  });

  it('searches names and ids', () => {
    render(<SourceTable report={fixtureReport()} loading={false} error={null} />);
    fireEvent.change(screen.getByTestId('source-search'), { target: { value: 'PROMO' } });
    expect(names()).toEqual(['kw:promo10']);
    fireEvent.change(screen.getByTestId('source-search'), { target: { value: 'hello' } });
    // The rollup stays because one of its folded sources matches.
    expect(names()).toEqual(['text:*']);
  });

  it('renames inline: Enter saves, Esc cancels', async () => {
    const onRename = vi.fn(async () => {});
    render(<SourceTable report={fixtureReport()} loading={false} error={null} onRename={onRename} />);
    fireEvent.click(screen.getByRole('button', { name: 'Rename promo10' }));
    const input = screen.getByTestId('rename-input');
    fireEvent.change(input, { target: { value: 'Promo flyer' } });
    fireEvent.keyDown(input, { key: 'Escape' });
    expect(onRename).not.toHaveBeenCalled();
    expect(screen.queryByTestId('rename-input')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Rename promo10' }));
    fireEvent.change(screen.getByTestId('rename-input'), { target: { value: '  Promo flyer ' } });
    fireEvent.keyDown(screen.getByTestId('rename-input'), { key: 'Enter' });
    await waitFor(() => expect(onRename).toHaveBeenCalledWith('kw:promo10', 'Promo flyer'));
    // The rollup row cannot be renamed.
    expect(screen.queryByRole('button', { name: 'Rename Other first messages' })).toBeNull();
  });

  it('expands the rollup row to show what it folded in', () => {
    render(<SourceTable report={fixtureReport()} loading={false} error={null} />);
    expect(names()).not.toContain('text:hi');
    fireEvent.click(screen.getByRole('button', { name: 'Expand Other first messages' }));
    expect(names()).toContain('text:hi');
    expect(names()).toContain('text:hello there');
  });

  it('groups ads by campaign with summed metrics', () => {
    const rows = buildRows(fixtureSources, 'campaign');
    const g = rows.find((r) => r.kind === 'group')!;
    expect(g.name).toBe('Spring');
    expect(g.conversations).toBe(160);
    expect(g.leads).toBe(34);
    expect(g.invested).toBe(650);
    expect(g.costPerLead).toBeCloseTo(650 / 34);
    expect(g.investedFrom).toBe('meta');
    expect(
      buildRows(fixtureSources, 'adset')
        .filter((r) => r.kind === 'group')
        .map((r) => r.name),
    ).toEqual(['Lookalike', 'Broad']);
    expect(searchRows(rows, 'carousel')[0]!.subRows!.map((r) => r.id)).toEqual(['ad:112']);
  });

  it('opens the invested editor from the pencil, defaulting to the shown range', async () => {
    const onInvest = vi.fn(async () => {});
    render(<SourceTable report={fixtureReport()} loading={false} error={null} onInvest={onInvest} />);
    const row = screen
      .getAllByTestId('source-row')
      .find((r) => r.getAttribute('data-source-id') === 'ad:111')!;
    expect(within(row).getByText('synced')).toBeTruthy();
    fireEvent.click(within(row).getByRole('button', { name: /Edit invested/ }));
    const dialog = screen.getByRole('dialog');
    expect((within(dialog).getByTestId('invest-from') as HTMLInputElement).value).toBe('2026-03-01');
    fireEvent.change(within(dialog).getByTestId('invest-amount'), { target: { value: '500' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(onInvest).toHaveBeenCalledWith({
        sourceId: 'ad:111',
        amount: 500,
        currency: 'EUR',
        from: '2026-03-01',
        to: '2026-03-30',
      }),
    );
  });

  it('virtualises 10,000 rows: only a window of them is in the DOM', () => {
    // happy-dom has no layout: give the scroll box a height like a window would.
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1000);
    const sources = Array.from({ length: 10_000 }, (_, i) =>
      source(`text:s${i}`, 'first_message', `s${i}`, 10_000 - i, 0, null),
    );
    render(<SourceTable report={fixtureReport({ sources })} loading={false} error={null} />);
    const rendered = screen.getAllByTestId('source-row').length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(200);
    fireEvent.change(screen.getByTestId('source-search'), { target: { value: 's9999' } });
    expect(names()).toEqual(['text:s9999']);
  });

  it('exports the rows on screen, in their order, Excel-safe', () => {
    const onExportCsv = vi.fn();
    const evil = source('text:=cmd', 'first_message', '=HYPERLINK("x")', 200, 1, null);
    render(
      <SourceTable
        report={fixtureReport({ sources: [...fixtureSources, evil] })}
        loading={false}
        error={null}
        onExportCsv={onExportCsv}
      />,
    );
    fireEvent.click(screen.getByTestId('export-sources'));
    const csv: string = onExportCsv.mock.calls[0]![0];
    expect(csv.startsWith('\uFEFFSource,Source id,Kind,Conversations')).toBe(true);
    const lines = csv.trim().split('\r\n');
    // A rate is a number (0.005), not "0.5%"; no value is an empty cell.
    expect(lines[1]).toBe(`"'=HYPERLINK(""x"")",text:=cmd,first_message,200,1,0.005,,,,,`);
    expect(lines.at(-1)).toBe('Total,,,264,55,0.2083,680,,12.36,2400,3.5294');
    expect(lines.slice(0, -1).map((l) => l.split(',')[1])).toEqual([
      'Source id',
      'text:=cmd',
      'ad:111',
      'kw:promo10',
      'ad:112',
      'tpl:welcome',
      'text:*',
    ]);
    fireEvent.change(screen.getByTestId('source-search'), { target: { value: 'promo' } });
    fireEvent.click(screen.getByTestId('export-sources'));
    const filtered: string = onExportCsv.mock.calls[1]![0];
    expect(filtered.trim().split('\r\n').at(-1)).toMatch(/^Total of 1 shown row,,,80,20,0.25,/);
    expect(
      filtered
        .trim()
        .split('\r\n')
        .slice(1, -1)
        .map((l) => l.split(',')[1]),
    ).toEqual(['kw:promo10']);
  });

  it('shows an empty state when no conversation started in the range', () => {
    render(<SourceTable report={fixtureReport({ sources: [] })} loading={false} error={null} />);
    expect(screen.getByText('No conversations started in this range.')).toBeTruthy();
  });

  it('builds the CSV of grouped rows with the group label as kind', () => {
    const rows = buildRows(fixtureSources, 'campaign');
    const total = totalRow(fixtureReport().totals, rows, false);
    const csv = sourceTableCsv(
      rows.map((row) => ({ row, depth: 0 })),
      total,
      'EUR',
    );
    expect(csv).toContain('Spring,,Campaign,160,34');
  });

  it('keeps other-currency revenue and invested in their own columns', () => {
    const rows = buildRows(
      [
        source('ad:1', 'meta_ad', 'A', 10, 2, 100, { revenue: 50, revenueOther: { USD: 7.5 } }),
        source('kw:x', 'keyword', 'X', 5, 1, null, { revenue: 20, investedOther: { GBP: 3 } }),
      ],
      'none',
    );
    const csv = sourceTableCsv(
      rows.map((row) => ({ row, depth: 0 })),
      totalRow(fixtureReport().totals, rows, true),
      'EUR',
    );
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe(
      'Source,Source id,Kind,Conversations,Leads,Conversion rate,Invested (EUR),Invested (GBP),Invested from,Conversion cost (EUR),Revenue (EUR),Revenue (USD),ROAS',
    );
    expect(lines[1]).toBe('A,ad:1,meta_ad,10,2,0.2,100,,manual,50,50,7.5,');
    expect(lines[2]).toBe('X,kw:x,keyword,5,1,0.2,,3,,,20,,');
    expect(lines[3]).toBe('Total of 2 shown rows,,,15,3,0.2,100,3,,33.33,70,7.5,0.7');
  });

  it('puts rows without a value last in both directions', () => {
    const roas: Record<string, number> = { 'ad:111': 2, 'ad:112': 0.5, 'tpl:welcome': 1 };
    const sources = fixtureSources.map((s) =>
      s.invested === null ? s : { ...s, revenue: roas[s.id]! * s.invested, roas: roas[s.id]! },
    );
    render(<SourceTable report={fixtureReport({ sources })} loading={false} error={null} />);
    for (const column of ['Conversion cost', 'Invested', 'ROAS']) {
      const header = screen.getByRole('button', { name: new RegExp(`^${column}`) });
      fireEvent.click(header);
      const desc = names();
      fireEvent.click(header);
      const asc = names();
      // kw:promo10 and the rollup have no Invested, so no cost and no ROAS.
      expect(desc.slice(-2).sort(), `${column} descending`).toEqual(['kw:promo10', 'text:*']);
      expect(asc.slice(-2).sort(), `${column} ascending`).toEqual(['kw:promo10', 'text:*']);
      expect(asc.slice(0, 3)).not.toEqual(desc.slice(0, 3));
    }
  });

  it('labels the Total row as the total of the shown rows while a search filters', () => {
    render(<SourceTable report={fixtureReport()} loading={false} error={null} />);
    const total = () => within(screen.getByTestId('totals-row'));
    expect(screen.getByTestId('totals-label').textContent).toBe('Total');
    expect(total().getByText('264')).toBeTruthy();
    fireEvent.change(screen.getByTestId('source-search'), { target: { value: 'spring' } });
    expect(screen.getByTestId('totals-label').textContent).toBe('Total of 2 shown rows');
    expect(total().getByText('160')).toBeTruthy();
  });

  it('marks an Invested amount entered by hand as manual', () => {
    const sources = [source('kw:a', 'keyword', 'A', 5, 1, 40, { investedFrom: 'manual' }), ...fixtureSources];
    render(<SourceTable report={fixtureReport({ sources })} loading={false} error={null} />);
    const row = screen.getAllByTestId('source-row').find((r) => r.getAttribute('data-source-id') === 'kw:a')!;
    expect(within(row).getByTestId('invested-tag').textContent).toBe('manual');
    expect(within(row).getByTestId('invested-tag').getAttribute('title')).toBe('Entered by hand');
  });
});

describe('column chooser', () => {
  it('adds the chosen columns with their footer cells, and groups sum Meta delivery', () => {
    const onColumnsChange = vi.fn();
    render(
      <SourceTable
        report={fixtureReport()}
        loading={false}
        error={null}
        groupAds="campaign"
        columns={['started', 'costPerConversationStarted']}
        onColumnsChange={onColumnsChange}
      />,
    );
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).toContain('Conversations started (Meta)');
    expect(headers).toContain('Cost per conversation started');
    expect(headers).not.toContain('CTR');
    const footer = screen.getByTestId('totals-row').children;
    expect(footer).toHaveLength(headers.length);
    // The Spring campaign: 118 + 41 conversations started, (450 + 200) ÷ 159 per conversation started.
    const group = screen
      .getAllByTestId('source-row')
      .find((r) => r.getAttribute('data-source-id') === 'group:campaign:c1')!;
    expect(group.textContent).toContain('159');
    expect(group.textContent).toContain('€4.09');
    fireEvent.click(screen.getByTestId('column-chooser'));
    fireEvent.click(screen.getByTestId('column-ctr'));
    expect(onColumnsChange).toHaveBeenCalledWith(['costPerConversationStarted', 'ctr', 'started']);
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toContain('CTR');
  });
});
