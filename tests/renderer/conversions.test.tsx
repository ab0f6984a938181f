// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/renderer/src/api/client';
import { DrillDown } from '../../src/renderer/src/components/DrillDown';
import { AppProvider } from '../../src/renderer/src/state/context';
import { createDashboardStore } from '../../src/renderer/src/state/store';
import type {
  ConversionMapping,
  ConversionSendResult,
  ConversionSettings,
  ConversionStatus,
  MetaStatus,
  OutboxEntry,
} from '../../src/shared/contract';
import { fakeTransport, standardHandlers } from './fixtures';
import { argsOf, mount } from './mount';

afterEach(cleanup);

const metaStatus = (o: Partial<MetaStatus> = {}): MetaStatus => ({
  connected: true,
  method: 'token',
  user: { id: '1', name: 'Marketer' },
  tokenType: 'USER',
  expiresAt: null,
  dataAccessExpiresAt: null,
  permissions: ['ads_read', 'whatsapp_business_manage_events'],
  missingPermissions: [],
  needsLogin: false,
  needsLoginReason: null,
  checkedAt: null,
  selectedAccounts: 1,
  deviceLoginPending: false,
  lastSync: null,
  ...o,
});

const zero = { pending: 0, sent: 0, failed: 0, rejected: 0, expired: 0, notSendable: 0, withdrawn: 0 };

/** An in-memory conversions core: the mapping and settings change as the real handlers would. */
function conversionsCore(over: Partial<ConversionSettings> = {}) {
  const labels: Record<string, string> = { 'ext:purchase': 'purchase', 'button:Book now': 'Book now' };
  const s: ConversionSettings = {
    enabled: false,
    sendFrom: null,
    testEventCode: null,
    mappings: [],
    suggested: [
      { eventId: 'ext:purchase', label: 'purchase', metaEvent: 'Purchase', value: true },
      { eventId: 'button:Book now', label: 'Book now', metaEvent: 'LeadSubmitted', value: false },
    ],
    datasets: [
      { phoneNumberId: 'pn1', displayNumber: '+49 151 2345678', wabaId: '102290129340398', datasetId: null },
      { phoneNumberId: 'pn2', displayNumber: '+49 151 9999999', wabaId: null, datasetId: null },
    ],
    sender: { kind: 'this', collectorUrl: null, serving: false },
    ...over,
  };
  const status = (o: Partial<ConversionStatus> = {}): ConversionStatus => ({
    ...zero,
    range: null,
    lastError: null,
    lastErrors: [],
    lastSendAt: null,
    needsLogin: false,
    enabled: s.enabled,
    sender: s.sender,
    ...o,
  });
  const handlers = {
    ...standardHandlers(),
    'conversions.settings': () => structuredClone(s),
    'conversions.configure': (a: unknown) => {
      const args = a as { enabled?: boolean; testEventCode?: string | null };
      if (args.enabled !== undefined) {
        if (args.enabled && s.sendFrom === null) s.sendFrom = '2026-03-23T10:00:00.000Z';
        s.enabled = args.enabled;
      }
      if (args.testEventCode !== undefined) s.testEventCode = args.testEventCode;
      return structuredClone(s);
    },
    'conversions.map': (a: unknown) => {
      const { eventId, metaEvent, value } = a as Omit<ConversionMapping, 'label'>;
      const m = { eventId, label: labels[eventId] ?? eventId, metaEvent, value: value ?? false };
      const i = s.mappings.findIndex((x) => x.eventId === eventId);
      if (i >= 0) s.mappings[i] = m;
      else s.mappings.push(m);
      return structuredClone(s);
    },
    'conversions.unmap': (a: unknown) => {
      s.mappings = s.mappings.filter((m) => m.eventId !== (a as { eventId: string }).eventId);
      return structuredClone(s);
    },
    'conversions.status': () => status(),
    'meta.status': () => metaStatus(),
    'conversions.list': (_args: unknown) => ({ entries: [] as OutboxEntry[], total: 0 }),
  };
  return { s, status, handlers };
}

async function openConversions(handlers: ReturnType<typeof conversionsCore>['handlers']) {
  const mounted = mount(handlers);
  await screen.findByTestId('dashboard');
  fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
  fireEvent.click(
    within(await screen.findByRole('navigation', { name: 'Settings sections' })).getByText(
      'Conversions to Meta',
    ),
  );
  const panel = await screen.findByTestId('conversions-panel');
  await within(panel).findByRole('switch');
  return { ...mounted, panel };
}

describe('Settings → Conversions to Meta', () => {
  it('offers the suggestion, then edits, adds and removes mappings through the contract', async () => {
    const core = conversionsCore();
    const { transport, panel } = await openConversions(core.handlers);

    expect(within(panel).getByTestId('conversions-suggested').textContent).toContain(
      'purchase → Purchase (with value), Book now → LeadSubmitted',
    );
    fireEvent.click(within(panel).getByRole('button', { name: 'Use the suggestion' }));
    await waitFor(() => expect(within(panel).getAllByTestId('conversions-mapping')).toHaveLength(2));
    expect(argsOf(transport, 'conversions.map')).toEqual([
      { eventId: 'ext:purchase', metaEvent: 'Purchase', value: true },
      { eventId: 'button:Book now', metaEvent: 'LeadSubmitted', value: false },
    ]);
    expect(within(panel).queryByTestId('conversions-suggested')).toBeNull();
    // The button pressed is gone: the focus goes to the first new row, not back to the page.
    await waitFor(() =>
      expect(document.activeElement).toBe(within(panel).getByLabelText('Meta event for purchase')),
    );

    // Another Meta name, then the value box, for "Book now".
    fireEvent.change(within(panel).getByLabelText('Meta event for Book now'), {
      target: { value: 'InitiateCheckout' },
    });
    await waitFor(() =>
      expect(argsOf(transport, 'conversions.map').at(-1)).toEqual({
        eventId: 'button:Book now',
        metaEvent: 'InitiateCheckout',
        value: false,
      }),
    );
    await waitFor(() =>
      expect((within(panel).getByLabelText('Meta event for Book now') as HTMLSelectElement).value).toBe(
        'InitiateCheckout',
      ),
    );
    fireEvent.click(within(panel).getByLabelText('Send the revenue of Book now as value'));
    await waitFor(() =>
      expect(argsOf(transport, 'conversions.map').at(-1)).toEqual({
        eventId: 'button:Book now',
        metaEvent: 'InitiateCheckout',
        value: true,
      }),
    );

    fireEvent.click(within(panel).getByRole('button', { name: 'Stop sending purchase' }));
    await waitFor(() => expect(within(panel).getAllByTestId('conversions-mapping')).toHaveLength(1));
    expect(argsOf(transport, 'conversions.unmap')).toEqual([{ eventId: 'ext:purchase' }]);
    await waitFor(() =>
      expect(document.activeElement).toBe(within(panel).getByRole('button', { name: /Add an event/ })),
    );

    // Add from the dashboard's event list; an event already mapped is not offered again.
    fireEvent.click(within(panel).getByRole('button', { name: /Add an event/ }));
    const picker = await screen.findByRole('dialog', { name: 'Add a conversion event' });
    expect(within(picker).queryByRole('button', { name: /Book now/ })).toBeNull();
    fireEvent.click(within(picker).getByRole('button', { name: /signup/ }));
    await waitFor(() =>
      expect(argsOf(transport, 'conversions.map').at(-1)).toEqual({
        eventId: 'ext:signup',
        metaEvent: 'Purchase',
        value: true,
      }),
    );
    await waitFor(() => expect(within(panel).getAllByTestId('conversions-mapping')).toHaveLength(2));
    await waitFor(() =>
      expect(document.activeElement).toBe(within(panel).getByLabelText('Meta event for ext:signup')),
    );
  });

  it('turning it on the first time says the last 7 days are queued; the desktop sender warns about expiry', async () => {
    const core = conversionsCore();
    const { transport, panel } = await openConversions(core.handlers);
    expect(within(panel).getByTestId('conversions-sender').textContent).toContain(
      'This desktop sends them while the app is open',
    );
    expect(within(panel).getByRole('note').textContent).toMatch(/older than 7 days expire/);
    expect(within(panel).getByText(/queues the conversions of the last 7 days/)).toBeTruthy();

    fireEvent.click(within(panel).getByRole('switch'));
    const notice = await within(panel).findByTestId('conversions-backfill');
    expect(notice.textContent).toMatch(/last 7 days .* are queued/);
    expect(argsOf(transport, 'conversions.configure')).toEqual([{ enabled: true }]);
    expect((within(panel).getByRole('switch') as HTMLInputElement).checked).toBe(true);

    // The test event code routes events to Test Events until it is cleared.
    const code = within(panel).getByLabelText(/Test event code/);
    fireEvent.change(code, { target: { value: 'TEST123' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Save code' }));
    expect(await within(panel).findByText(/Test Events tool \(code TEST123\)/)).toBeTruthy();
    // The field takes the saved code when the settings come back (its Save button then has nothing to
    // save): clearing it before that would be overwritten on a loaded machine.
    await waitFor(() =>
      expect((within(panel).getByRole('button', { name: 'Save code' }) as HTMLButtonElement).disabled).toBe(
        true,
      ),
    );
    fireEvent.change(code, { target: { value: '' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Clear code' }));
    await waitFor(() => expect(within(panel).queryByText(/Test Events tool/)).toBeNull());
    expect(argsOf(transport, 'conversions.configure').slice(1)).toEqual([
      { testEventCode: 'TEST123' },
      { testEventCode: null },
    ]);
  });

  it('a collector sender shows its URL and no expiry warning', async () => {
    const core = conversionsCore({
      sender: { kind: 'collector', collectorUrl: 'https://collector.example.com', serving: false },
    });
    const { panel } = await openConversions(core.handlers);
    expect(within(panel).getByTestId('conversions-sender').textContent).toContain(
      'The collector at https://collector.example.com sends them',
    );
    expect(within(panel).queryByRole('note')).toBeNull();
    expect(within(panel).getByTestId('conversions-collector-hint').textContent).toContain(
      'The collector uses its own mapping',
    );
    // The collector sends: this installation offers the dry run only.
    const sendNow = within(panel).getByRole('button', { name: 'Send now' }) as HTMLButtonElement;
    expect(sendNow.disabled).toBe(true);
    expect(within(panel).getByText(/The collector sends/)).toBeTruthy();
    expect((within(panel).getByRole('button', { name: 'Dry run' }) as HTMLButtonElement).disabled).toBe(
      false,
    );
  });

  it('says when the Meta login is missing or lacks the events permission, and links to Meta ads', async () => {
    const core = conversionsCore();
    const { panel } = await openConversions({
      ...core.handlers,
      'meta.status': () => metaStatus({ connected: false, method: null, permissions: [] }),
    });
    const notice = await within(panel).findByTestId('conversions-meta-login');
    expect(notice.textContent).toContain('Meta is not connected');
    fireEvent.click(within(notice).getByRole('button', { name: 'Open Meta ads' }));
    expect(await screen.findByTestId('settings-meta')).toBeTruthy();
    cleanup();

    const lacking = await openConversions({
      ...core.handlers,
      'meta.status': () => metaStatus({ permissions: ['ads_read', 'business_management'] }),
    });
    expect((await within(lacking.panel).findByTestId('conversions-meta-login')).textContent).toContain(
      'lacks the permission whatsapp_business_manage_events',
    );
    cleanup();

    const demo = await openConversions({
      ...core.handlers,
      'meta.status': () => metaStatus({ method: 'demo', permissions: ['ads_read'] }),
    });
    expect((await within(demo.panel).findByTestId('conversions-meta-login')).textContent).toContain(
      'The demo workspace never sends to Meta',
    );
    cleanup();

    const fine = await openConversions(core.handlers);
    await waitFor(() => expect(argsOf(fine.transport, 'meta.status').length).toBeGreaterThan(0));
    await act(async () => {}); // the answer renders
    expect(within(fine.panel).queryByTestId('conversions-meta-login')).toBeNull();
  });

  it('dry run shows the JSON requests and sends nothing', async () => {
    const core = conversionsCore({ enabled: true, sendFrom: '2026-03-23T10:00:00.000Z' });
    const body = {
      data: [
        {
          event_name: 'Purchase',
          event_time: 1774000000,
          action_source: 'business_messaging',
          messaging_channel: 'whatsapp',
          event_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
          user_data: { whatsapp_business_account_id: '102290129340398', ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ' },
          custom_data: { currency: 'EUR', value: 49.9 },
        },
      ],
      partner_agent: 'insights-desktop',
    };
    const dry: ConversionSendResult = {
      dryRun: true,
      sent: 1,
      batches: 1,
      requests: [{ datasetId: '987654321', path: '/v21.0/987654321/events', body }],
      counts: { ...zero, pending: 1 },
      lastError: null,
    };
    const handlers = { ...core.handlers, 'conversions.send': () => dry };
    const { transport, panel } = await openConversions(handlers);
    fireEvent.click(within(panel).getByRole('button', { name: 'Dry run' }));
    const pre = await within(panel).findByTestId('conversions-dry-run');
    expect(pre.tagName).toBe('PRE');
    const shown = JSON.parse(pre.textContent ?? '') as { POST: string; body: unknown }[];
    expect(shown).toEqual([{ POST: '/v21.0/987654321/events', body }]);
    expect(within(panel).getByTestId('conversions-send-result').textContent).toContain(
      '1 conversion would be sent in 1 request. Nothing was sent.',
    );
    expect(argsOf(transport, 'conversions.send')).toEqual([{ dryRun: true }]);
  });

  it("shows the core's error in words and keeps the screen as it was", async () => {
    const core = conversionsCore({ enabled: true, sendFrom: '2026-03-23T10:00:00.000Z' });
    const handlers = {
      ...core.handlers,
      'conversions.dataset': () => {
        throw new Error(
          'Meta did not allow creating a dataset: the login lacks the permission whatsapp_business_manage_events. Connect Meta again and grant it.',
        );
      },
      'conversions.send': () => {
        throw new Error('Meta needs you to log in again: nothing was sent.');
      },
    };
    const { transport, panel } = await openConversions(handlers);
    const [withWaba, withoutWaba] = within(panel).getAllByTestId('conversions-dataset');
    // Without a WABA id the button waits for one.
    const find2 = within(withoutWaba!).getByRole('button', { name: 'Find or create dataset' });
    expect((find2 as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(within(withoutWaba!).getByLabelText(/WhatsApp Business Account id of/), {
      target: { value: '123456789012' },
    });
    expect((find2 as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(find2);
    expect((await within(withoutWaba!).findByRole('alert')).textContent).toContain(
      'lacks the permission whatsapp_business_manage_events',
    );
    expect(argsOf(transport, 'conversions.dataset')).toEqual([
      { phoneNumberId: 'pn2', wabaId: '123456789012', create: true },
    ]);
    expect(within(withWaba!).queryByRole('alert')).toBeNull();

    fireEvent.click(within(panel).getByRole('button', { name: 'Send now' }));
    expect(await within(panel).findByText('Meta needs you to log in again: nothing was sent.')).toBeTruthy();
    expect(within(panel).queryByTestId('conversions-send-result')).toBeNull();
  });

  it('a mapping whose Meta name Meta refused (2804066) says so until another name is chosen', async () => {
    const core = conversionsCore({
      mappings: [{ eventId: 'ext:purchase', label: 'purchase', metaEvent: 'OrderCreated', value: true }],
    });
    const refused: OutboxEntry = {
      eventId: 'e9',
      conversation: 'wamid.9',
      phoneNumberId: 'pn1',
      sourceKey: 'ad:111',
      conversionEvent: 'ext:purchase',
      metaEvent: 'OrderCreated',
      eventTime: '2026-03-25T10:00:00.000Z',
      state: 'rejected',
      value: 49.9,
      currency: 'EUR',
      attempts: 1,
      error: 'Meta does not accept the event name OrderCreated here',
      errorCode: 'name_not_accepted',
      sentAt: null,
      fbtraceId: null,
    };
    const handlers = {
      ...core.handlers,
      'conversions.list': (a: unknown) =>
        (a as { state?: string }).state === 'rejected'
          ? {
              // Refused for another reason (EU restriction): says nothing about the name.
              entries: [
                refused,
                { ...refused, eventId: 'e8', metaEvent: 'Purchase', errorCode: 'restricted_region' },
              ],
              total: 2,
            }
          : { entries: [], total: 0 },
    };
    const { panel } = await openConversions(handlers);
    const select = within(panel).getByLabelText('Meta event for purchase');
    expect(
      (await within(panel).findByText('Meta refused OrderCreated for this event: choose another name')).id,
    ).toBe(select.getAttribute('aria-describedby'));
    fireEvent.change(select, { target: { value: 'Purchase' } });
    await waitFor(() => expect(within(panel).queryByText(/Meta refused/)).toBeNull());
    // Purchase needs its value: unticked, the row says so.
    expect(within(panel).queryByText(/Meta requires a value with Purchase/)).toBeNull();
    fireEvent.click(within(panel).getByLabelText('Send the revenue of purchase as value'));
    expect(await within(panel).findByText(/Meta requires a value with Purchase/)).toBeTruthy();
  });

  it('the status panel shows counts for the dashboard range, needs-login, last errors and recent entries', async () => {
    const core = conversionsCore({ enabled: true, sendFrom: '2026-03-23T10:00:00.000Z' });
    const entry: OutboxEntry = {
      eventId: 'e1',
      conversation: 'wamid.1',
      phoneNumberId: 'pn1',
      sourceKey: 'ad:111',
      conversionEvent: 'ext:purchase',
      metaEvent: 'Purchase',
      eventTime: '2026-03-25T10:00:00.000Z',
      state: 'rejected',
      value: 49.9,
      currency: 'EUR',
      attempts: 1,
      error: 'Meta does not accept this event name for the dataset',
      errorCode: '2804066',
      sentAt: null,
      fbtraceId: null,
    };
    const handlers = {
      ...core.handlers,
      'conversions.status': () =>
        core.status({
          sent: 12,
          pending: 3,
          rejected: 1,
          notSendable: 2,
          needsLogin: true,
          lastErrors: [{ at: '2026-03-28T08:00:00.000Z', message: 'Meta refused the login (190)', count: 2 }],
        }),
      'conversions.list': (a: unknown) =>
        (a as { state?: string }).state === 'not_sendable'
          ? { entries: [], total: 0 }
          : { entries: [entry], total: 1 },
    };
    const { transport } = await openConversions(handlers);
    const status = await screen.findByTestId('conversions-status');
    const counts = await within(status).findByTestId('conversions-counts');
    const count = (label: string) => within(counts).getByText(label).nextElementSibling?.textContent;
    expect(count('Sent')).toBe('12');
    expect(count('Pending')).toBe('3');
    expect(count('Rejected')).toBe('1');
    expect(count('Not sendable')).toBe('2');
    expect(count('Withdrawn')).toBe('0');
    expect(within(status).getByTestId('conversions-needs-login')).toBeTruthy();
    expect(within(status).getByTestId('conversions-errors').textContent).toContain(
      'Meta refused the login (190)',
    );
    const row = await within(status).findByTestId('conversions-entry');
    expect(row.textContent).toContain('Rejected — Meta does not accept this event name for the dataset');
    // The range the dashboard shows.
    expect(argsOf(transport, 'conversions.status')[0]).toEqual({
      range: { from: '2026-03-01', to: '2026-03-30' },
    });
    // Entries of one state: the list asks the core for that state only.
    fireEvent.change(within(status).getByLabelText('Show'), { target: { value: 'not_sendable' } });
    expect(await within(status).findByText('No conversion in the state “Not sendable”.')).toBeTruthy();
    expect(argsOf(transport, 'conversions.list').at(-1)).toEqual({ limit: 20, state: 'not_sendable' });
    fireEvent.click(within(status).getByRole('button', { name: 'Open Meta ads' }));
    expect(await screen.findByTestId('settings-meta')).toBeTruthy();
  });
});

describe('drill-down: sent to Meta', () => {
  async function drill(sourceId: string, statusOf: (args: unknown) => ConversionStatus) {
    const transport = fakeTransport({
      ...conversionsCore().handlers,
      'sources.conversations': () => ({ total: 0, rows: [] }),
      'conversions.status': statusOf,
    });
    const client = createClient(transport);
    const store = createDashboardStore(client);
    await store.getState().init();
    await waitFor(() => expect(store.getState().report).not.toBeNull());
    store.getState().openDrill(sourceId, sourceId);
    render(
      <AppProvider client={client} store={store}>
        <DrillDown onDownload={() => undefined} />
      </AppProvider>,
    );
    const drawer = await screen.findByTestId('drilldown');
    await within(drawer).findByText('No conversations from this source in the range.');
    return { transport, drawer };
  }

  it('an ad source shows what was sent, with pending and failed', async () => {
    const { transport, drawer } = await drill('ad:111', () =>
      statusWith({ enabled: true, sent: 7, pending: 2, failed: 1 }),
    );
    const line = await within(drawer).findByTestId('sent-to-meta');
    expect(line.textContent).toContain('Sent to Meta: 7 · 2 pending · 1 failed');
    expect(argsOf(transport, 'conversions.status')).toEqual([
      { source: 'ad:111', range: { from: '2026-03-01', to: '2026-03-30' } },
    ]);
  });

  it('nothing when sending is off, or for a source that is not an ad', async () => {
    const off = await drill('ad:111', () => statusWith({ enabled: false }));
    await waitFor(() => expect(argsOf(off.transport, 'conversions.status')).toHaveLength(1));
    expect(within(off.drawer).queryByTestId('sent-to-meta')).toBeNull();
    cleanup();
    const kw = await drill('kw:promo10', () => statusWith({ enabled: true, sent: 3 }));
    expect(argsOf(kw.transport, 'conversions.status')).toEqual([]);
    expect(within(kw.drawer).queryByTestId('sent-to-meta')).toBeNull();
  });
});

function statusWith(o: Partial<ConversionStatus>): ConversionStatus {
  return conversionsCore().status(o);
}
