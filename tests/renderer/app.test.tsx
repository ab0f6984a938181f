// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FIRST_SOURCE_ROWS } from '../../src/renderer/src/state/store';
import { fixtureReport, standardHandlers } from './fixtures';
import { argsOf, mount } from './mount';

afterEach(() => {
  cleanup();
  delete document.documentElement.dataset.theme;
});

describe('app shell', () => {
  it('boots into the dashboard with the report numbers and names the phone in the title', async () => {
    const { transport } = mount();
    await screen.findByTestId('dashboard');
    await waitFor(() => expect(screen.getByTestId('kpi-conversations-value').textContent).toBe('264'));
    expect(screen.getByTestId('kpi-leads-value').textContent).toBe('55');
    expect(screen.getByTestId('kpi-conversionRate-value').textContent).toMatch(/20[.,]8\s?%/);
    expect(within(screen.getByTestId('kpi-conversations')).getByText(/\+32[.,]0\s?%/)).toBeTruthy();
    expect(document.title).toContain('+49 151 2345678');
    expect(argsOf(transport, 'report.get')[0]).toEqual({
      phone: 'pn1',
      range: { preset: '30d' },
      sourcesLimit: FIRST_SOURCE_ROWS,
    });
    // The report timezone, in the top bar's select.
    const tz = screen.getByTestId('timezone-select') as HTMLSelectElement;
    expect(tz.selectedOptions[0]?.textContent).toBe('Europe/Berlin');
  });

  it('restores the remembered workspace, phone, range and event on launch', async () => {
    const h = standardHandlers();
    const prefs = {
      workspace: 'default',
      phoneId: 'pn2',
      range: { preset: 'custom' as const, from: '2026-01-01', to: '2026-01-31' },
      eventByPhone: { pn2: 'button:Book now' },
    };
    h['prefs.get'] = () => prefs;
    const { transport } = mount(h);
    await screen.findByTestId('dashboard');
    await waitFor(() => expect(argsOf(transport, 'report.get').length).toBeGreaterThan(0));
    expect(argsOf(transport, 'report.get')[0]).toEqual({
      phone: 'pn2',
      range: { from: '2026-01-01', to: '2026-01-31' },
      event: 'button:Book now',
      sourcesLimit: FIRST_SOURCE_ROWS,
    });
    expect((screen.getByTestId('phone-select') as HTMLSelectElement).value).toBe('pn2');
  });

  it('remembers a range preset and the event per phone through prefs.set', async () => {
    const { transport } = mount();
    await screen.findByTestId('dashboard');
    fireEvent.click(screen.getByRole('button', { name: '7D' }));
    await waitFor(() => expect(argsOf(transport, 'prefs.set')).toContainEqual({ range: { preset: '7d' } }));
    expect(argsOf(transport, 'report.get').at(-1)).toMatchObject({ range: { preset: '7d' } });

    fireEvent.click(screen.getByTestId('event-trigger'));
    const dialog = await screen.findByRole('dialog', { name: 'Choose the conversion event' });
    expect(within(dialog).getByRole('region', { name: 'Off-thread (external)' })).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: /Book now/ }));
    await waitFor(() =>
      expect(argsOf(transport, 'prefs.set')).toContainEqual({ eventByPhone: { pn1: 'button:Book now' } }),
    );
    expect(argsOf(transport, 'report.get').at(-1)).toMatchObject({ event: 'button:Book now' });
  });

  it('searches all events through events.list when typing in the picker', async () => {
    const { transport } = mount();
    await screen.findByTestId('dashboard');
    fireEvent.click(screen.getByTestId('event-trigger'));
    fireEvent.change(await screen.findByTestId('event-search'), { target: { value: 'pric' } });
    await waitFor(() => expect(argsOf(transport, 'events.list').some((a) => a.search === 'pric')).toBe(true));
    expect(screen.getByRole('button', { name: /Pricing/ })).toBeTruthy();
  });

  it('keeps the previous report on screen while the next one loads', async () => {
    const h = standardHandlers();
    let release: (() => void) | null = null;
    let n = 0;
    h['report.get'] = () => {
      n++;
      if (n === 1) return fixtureReport();
      return new Promise((resolve) => {
        release = () => resolve(fixtureReport({ totals: { ...fixtureReport().totals, conversations: 999 } }));
      });
    };
    mount(h);
    await waitFor(() => expect(screen.getByTestId('kpi-conversations-value').textContent).toBe('264'));
    fireEvent.click(screen.getByRole('button', { name: '14D' }));
    await waitFor(() => expect(release).not.toBeNull());
    expect(screen.getByTestId('kpi-conversations-value').textContent).toBe('264');
    await act(async () => release!());
    await waitFor(() => expect(screen.getByTestId('kpi-conversations-value').textContent).toBe('999'));
  });

  it('shows the first-run state without numbers and builds the demo on request', async () => {
    const h = standardHandlers();
    let demoBuilt = false;
    h['phones.list'] = (_a, ws) =>
      ws === 'demo' && demoBuilt ? standardHandlers()['phones.list']!({}, ws) : [];
    h['demo.build'] = () => {
      demoBuilt = true;
      return { workspace: 'demo', conversations: 10, messages: 30 };
    };
    h['workspaces.list'] = () =>
      demoBuilt
        ? [
            { name: 'default', isDemo: false, sizeBytes: 1, modifiedAt: null },
            { name: 'demo', isDemo: true, sizeBytes: 1, modifiedAt: null },
          ]
        : [{ name: 'default', isDemo: false, sizeBytes: 1, modifiedAt: null }];
    const { transport } = mount(h);
    fireEvent.click(await screen.findByTestId('explore-demo'));
    await screen.findByTestId('dashboard');
    expect(screen.getByTestId('demo-banner')).toBeTruthy();
    expect(transport.calls.find((c) => c.method === 'report.get')?.workspace).toBe('demo');
    fireEvent.click(screen.getByRole('button', { name: 'Leave demo' }));
    await screen.findByTestId('explore-demo');
    expect(screen.queryByTestId('demo-banner')).toBeNull();
  });

  it('shows the core error in words with a retry when the report fails', async () => {
    const h = standardHandlers();
    h['report.get'] = () => {
      throw new Error('The number pn1 is unknown');
    };
    mount(h);
    expect(await screen.findByRole('alert')).toBeTruthy();
    expect(screen.getAllByText(/The number pn1 is unknown/).length).toBeGreaterThan(0);
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('switches the theme manually and stores it', async () => {
    const { transport } = mount();
    await screen.findByTestId('dashboard');
    const toggle = screen.getByTestId('theme-toggle');
    fireEvent.click(toggle); // system → light
    fireEvent.click(toggle); // light → dark
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(argsOf(transport, 'prefs.set')).toContainEqual({ theme: 'dark' });
  });

  it('shows running jobs with progress and cancels them', async () => {
    const { transport } = mount({ ...standardHandlers(), 'jobs.cancel': () => ({ ok: true }) });
    await screen.findByTestId('dashboard');
    act(() =>
      transport.emit({
        type: 'job',
        job: {
          id: 'j1',
          kind: 'import',
          workspace: 'default',
          state: 'running',
          progress: 0.4,
          detail: '4,000 of 10,000 payloads',
          error: null,
          startedAt: new Date().toISOString(),
          endedAt: null,
        },
      }),
    );
    expect(screen.getByTestId('jobs-button').textContent).toContain('1 job running');
    fireEvent.click(screen.getByTestId('jobs-button'));
    // Titled by kind in words, not by the core method that runs it.
    expect(screen.getByRole('progressbar', { name: 'Import progress' }).getAttribute('aria-valuenow')).toBe(
      '40',
    );
    expect(screen.queryByText('import.files')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(argsOf(transport, 'jobs.cancel')).toEqual([{ id: 'j1' }]));
  });
});
