// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FIRST_EVENTS_PER_KIND, FIRST_SOURCE_ROWS } from '../../src/renderer/src/state/store';
import { fixtureReport, standardHandlers } from './fixtures';
import { argsOf, mount } from './mount';

// A number or range change asks the core once for the report and the event list (report.dashboard);
// an event change asks for the report alone.

afterEach(cleanup);

describe('dashboard calls', () => {
  it('loads report and events in one call on a range change, the report alone on an event change', async () => {
    const { transport, store } = mount();
    await screen.findByTestId('dashboard');
    await waitFor(() => expect(store.getState().events?.list.length).toBeGreaterThan(0));
    expect(argsOf(transport, 'report.dashboard')).toEqual([
      {
        phone: 'pn1',
        range: { preset: '30d' },
        eventsPerKind: FIRST_EVENTS_PER_KIND,
        sourcesLimit: FIRST_SOURCE_ROWS,
      },
    ]);
    const atClick = transport.calls.length;
    fireEvent.click(screen.getByRole('button', { name: '7D' }));
    await waitFor(() => expect(argsOf(transport, 'report.dashboard').length).toBe(2));
    expect(argsOf(transport, 'report.dashboard')[1]).toMatchObject({ range: { preset: '7d' } });
    // The report is asked before the choice is stored (see persist in store.ts).
    const afterClick = transport.calls.slice(atClick).map((c) => c.method);
    expect(afterClick.indexOf('report.dashboard')).toBeLessThan(afterClick.indexOf('prefs.set'));
    const before = transport.calls.length;
    store.getState().setEvent('button:Book now');
    await waitFor(() => expect(store.getState().reportLoading).toBe(false));
    // The report first: the preference write must not hold it up (see persist in store.ts).
    expect(transport.calls.slice(before).map((c) => c.method)).toEqual(['report.get', 'prefs.set']);
  });

  it('asks the template delivery for the report on screen, not ahead of it on a range change', async () => {
    const h = standardHandlers();
    // A new object per answer, as from JSON: each report is a new one.
    h['report.get'] = () => fixtureReport();
    // Whether a report was loading when the delivery was asked (it then answered for a report not yet shown).
    const whileLoading: boolean[] = [];
    h['sources.delivery'] = () => {
      whileLoading.push(store.getState().reportLoading);
      return { templates: [], series: null, granularity: 'day' };
    };
    const { transport, store } = mount(h);
    await waitFor(() => expect(argsOf(transport, 'sources.delivery').length).toBe(1));
    fireEvent.click(screen.getByRole('button', { name: '7D' }));
    await waitFor(() => expect(argsOf(transport, 'sources.delivery').length).toBe(2));
    expect(argsOf(transport, 'sources.delivery')[1]).toMatchObject({ range: { preset: '7d' } });
    expect(whileLoading).toEqual([false, false]);
  });

  it("asks the remembered number's report together with the list of numbers, not after it", async () => {
    const h = standardHandlers();
    h['prefs.get'] = () => ({ phoneId: 'pn2' });
    let answerPhones: () => void = () => undefined;
    const phones = h['phones.list']!;
    h['phones.list'] = (a, ws) => new Promise((resolve) => (answerPhones = () => resolve(phones(a, ws))));
    const { transport, store } = mount(h);
    // The list has not answered yet: the report is already asked for the remembered number.
    await waitFor(() => expect(argsOf(transport, 'report.dashboard')).toHaveLength(1));
    expect(argsOf(transport, 'report.dashboard')[0]).toMatchObject({ phone: 'pn2' });
    expect(store.getState().phones).toBeNull();
    answerPhones();
    await screen.findByTestId('dashboard');
    await waitFor(() => expect(store.getState().report).not.toBeNull());
    expect(store.getState().phoneId).toBe('pn2');
    expect(argsOf(transport, 'report.dashboard')).toHaveLength(1);
    expect(store.getState().events?.list.length).toBeGreaterThan(0);
  });

  it('drops the answer for a remembered number that is gone and shows the first number instead', async () => {
    const h = standardHandlers();
    h['prefs.get'] = () => ({ phoneId: 'gone' });
    h['report.get'] = (a) =>
      fixtureReport({ phone: { id: (a as { phone: string }).phone, display: 'x', name: null } });
    const { transport, store } = mount(h);
    await screen.findByTestId('dashboard');
    await waitFor(() => expect(store.getState().report?.phone.id).toBe('pn1'));
    expect(argsOf(transport, 'report.dashboard').map((a) => a.phone)).toEqual(['gone', 'pn1']);
    expect(store.getState().phoneId).toBe('pn1');
  });

  it('still lists the events when the report fails, so the event can be changed', async () => {
    const h = standardHandlers();
    h['report.get'] = () => {
      throw new Error('"bogus" is not an event id');
    };
    const { transport, store } = mount(h);
    await waitFor(() => expect(store.getState().reportError).toMatch(/not an event id/));
    await waitFor(() => expect(store.getState().events?.list.length).toBeGreaterThan(0));
    expect(argsOf(transport, 'events.list').length).toBeGreaterThan(0);
  });
});
