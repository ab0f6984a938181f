// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/renderer/src/api/client';
import { DrillDown } from '../../src/renderer/src/components/DrillDown';
import { AppProvider } from '../../src/renderer/src/state/context';
import { createDashboardStore } from '../../src/renderer/src/state/store';
import { fakeTransport, standardHandlers } from './fixtures';

afterEach(cleanup);

const conversation = (i: number, converted: boolean) => ({
  id: `wamid.${i}`,
  contact: `4915100000${i}`,
  name: i === 1 ? 'Anna Schmidt' : null,
  sourceId: 'kw:promo10',
  start: '2026-03-10T09:00:00.000Z',
  converted,
  eventTime: converted ? '2026-03-10T11:00:00.000Z' : null,
  revenue: converted ? 49.9 : null,
  revenueOther: {},
});

describe('drill-down', () => {
  it("lists a source's conversations with the report's event, opens a timeline, and downloads contacts", async () => {
    const transport = fakeTransport({
      ...standardHandlers(),
      'sources.conversations': () => ({ total: 2, rows: [conversation(1, true), conversation(2, false)] }),
      'conversations.timeline': () => ({
        id: 'wamid.1',
        phone: 'pn1',
        contact: '49151000001',
        name: 'Anna Schmidt',
        sourceId: 'kw:promo10',
        start: '2026-03-10T09:00:00.000Z',
        items: [
          {
            kind: 'message',
            id: 'wamid.1',
            direction: 'in',
            ts: '2026-03-10T09:00:00.000Z',
            type: 'text',
            text: 'Hi, promo10 please',
            counts: true,
            eventId: null,
            referral: false,
            contextId: null,
            template: null,
            statuses: [],
          },
          {
            kind: 'external',
            id: 'e1',
            ts: '2026-03-10T11:00:00.000Z',
            eventId: 'ext:purchase',
            revenue: { amount: 49.9, currency: 'EUR' },
          },
        ],
      }),
    });
    const client = createClient(transport);
    const store = createDashboardStore(client);
    await store.getState().init();
    await waitFor(() => expect(store.getState().report).not.toBeNull());
    store.getState().openDrill('kw:promo10', 'promo10');
    const onDownload = vi.fn();
    render(
      <AppProvider client={client} store={store}>
        <DrillDown onDownload={onDownload} />
      </AppProvider>,
    );
    const drawer = await screen.findByTestId('drilldown');
    // The drawer takes the keyboard focus when it opens.
    expect(document.activeElement).toBe(drawer);
    await waitFor(() => expect(within(drawer).getAllByTestId('conversation-row')).toHaveLength(2));
    const args = transport.calls.find((c) => c.method === 'sources.conversations')!.args;
    expect(args).toMatchObject({
      phone: 'pn1',
      source: 'kw:promo10',
      event: 'ext:purchase',
      range: { preset: '30d' },
    });
    expect(within(drawer).getByText(/after 2 h/)).toBeTruthy();
    fireEvent.click(within(drawer).getByTestId('download-contacts-source'));
    expect(onDownload).toHaveBeenCalledWith('kw:promo10', false);
    fireEvent.click(within(drawer).getByRole('button', { name: /Anna Schmidt/ }));
    const timeline = await within(drawer).findByTestId('timeline');
    expect(within(timeline).getByText('Hi, promo10 please')).toBeTruthy();
    expect(within(timeline).getByText('purchase')).toBeTruthy();
    // Escape goes back from a timeline to the list (the focus stays in the drawer), then closes it.
    fireEvent.keyDown(within(drawer).getByTestId('timeline'), { key: 'Escape' });
    expect(within(drawer).getAllByTestId('conversation-row')).toHaveLength(2);
    expect(drawer.contains(document.activeElement)).toBe(true);
    fireEvent.keyDown(drawer, { key: 'Escape' });
    expect(store.getState().drill).toBeNull();
  });
});
