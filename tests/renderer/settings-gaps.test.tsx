// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MetaSettings, UnattributedEvent } from '../../src/shared/contract';
import { fixtureReport, standardHandlers } from './fixtures';
import { argsOf, mount } from './mount';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  delete document.documentElement.dataset.theme;
});

async function openSection(label: string) {
  await screen.findByTestId('dashboard');
  fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
  fireEvent.click(
    within(await screen.findByRole('navigation', { name: 'Settings sections' })).getByText(label),
  );
}

const unattributedRow = (over: Partial<UnattributedEvent> = {}): UnattributedEvent => ({
  id: 'ee_1',
  action: 'Purchase',
  leadPhone: '4915123456789',
  time: '2026-03-02T10:00:00.000Z',
  revenue: 49.9,
  currency: 'EUR',
  appId: 'PN9',
  reason: 'unknown app_id PN9',
  ...over,
});

describe('unattributed events', () => {
  it('the dashboard note links to the list, which shows each reason; retry and delete act on one event', async () => {
    const h = standardHandlers(fixtureReport({ unattributedExternalEvents: 2 }));
    let rows = [
      unattributedRow(),
      unattributedRow({
        id: 'ee_2',
        action: 'Signup',
        revenue: null,
        currency: null,
        appId: null,
        reason: 'no conversation with this contact',
      }),
    ];
    h['events.unattributed.list'] = () => ({ total: rows.length, rows });
    h['events.unattributed.retry'] = (args) =>
      (args as { id: string }).id === 'ee_1'
        ? { attributed: false, reason: 'unknown app_id PN9' }
        : { attributed: true, reason: null };
    h['events.unattributed.delete'] = (args) => {
      rows = rows.filter((r) => r.id !== (args as { id: string }).id);
      return { deleted: 1 };
    };
    const { transport } = mount(h);
    const note = await screen.findByTestId('unattributed');
    fireEvent.click(within(note).getByRole('button', { name: 'See why' }));

    const table = await screen.findByTestId('unattributed-table');
    expect(screen.getByTestId('settings-unattributed')).toBeTruthy();
    // The dashboard's number is selected, so the list matches the note's count.
    expect(argsOf(transport, 'events.unattributed.list')[0]).toEqual({ phone: 'pn1', limit: 100 });
    const [first, second] = within(table).getAllByTestId('unattributed-row');
    expect(screen.getByTestId('unattributed-total').textContent).toBe('· 2');
    expect(first!.textContent).toContain('unknown app_id PN9');
    expect(first!.textContent).toContain('+4915123456789');
    expect(first!.textContent).toMatch(/49[.,]90/);
    expect(second!.textContent).toContain('no conversation with this contact');

    fireEvent.click(within(first!).getByRole('button', { name: /Retry Purchase/ }));
    expect(await within(first!).findByText('Still unmatched: nothing changed.')).toBeTruthy();
    expect(argsOf(transport, 'events.unattributed.retry')).toEqual([{ id: 'ee_1' }]);

    vi.stubGlobal('confirm', () => true);
    fireEvent.click(within(second!).getByRole('button', { name: /Delete Signup/ }));
    await waitFor(() => expect(screen.getAllByTestId('unattributed-row')).toHaveLength(1));
    expect(argsOf(transport, 'events.unattributed.delete')).toEqual([{ id: 'ee_2' }]);

    // Unticking the number lists every workspace event.
    fireEvent.click(screen.getByLabelText(/Only Acme Shop/));
    await waitFor(() => expect(argsOf(transport, 'events.unattributed.list').at(-1)).toEqual({ limit: 100 }));
  });

  it('says so when every event matches', async () => {
    const h = standardHandlers();
    h['events.unattributed.list'] = () => ({ total: 0, rows: [] });
    mount(h);
    await openSection('Unattributed events');
    expect(await screen.findByText('Every external event matches a conversation.')).toBeTruthy();
  });
});

describe('quarantine body', () => {
  it('View shows the body under its row and reason, indented when it is JSON', async () => {
    const h = standardHandlers();
    const item = {
      id: 7,
      receivedAt: '2026-03-02T10:00:00.000Z',
      origin: 'webhook',
      channel: 'PN1',
      reason: 'unknown channel PN1',
      contentType: 'application/json',
      size: 20,
    };
    h['quarantine.list'] = () => ({ total: 1, items: [item] });
    h['quarantine.show'] = () => ({ ...item, body: '{"object":"whatsapp_business_account"}' });
    mount(h);
    await openSection('Quarantine');
    fireEvent.click(await screen.findByRole('button', { name: 'View' }));
    const body = await screen.findByTestId('quarantine-body');
    expect(body.querySelector('pre')!.textContent).toBe('{\n  "object": "whatsapp_business_account"\n}');
    expect(screen.getByText('unknown channel PN1')).toBeTruthy();
    expect(within(body).getByText(/Delivery #7/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Hide' }));
    expect(screen.queryByTestId('quarantine-body')).toBeNull();
  });
});

describe('privacy', () => {
  it('erases a contact only after the confirmation, then shows what was erased', async () => {
    const h = standardHandlers();
    h['ingest.settings.get'] = () => ({ rawRetentionDays: null });
    h['contacts.erase'] = () => ({
      contactIds: ['4915123456789'],
      messages: 12,
      statuses: 30,
      externalEvents: 1,
      outgoingMessages: 0,
      rawPayloadsDeleted: 10,
      rawPayloadsRewritten: 2,
      quarantine: 0,
      contacts: 1,
    });
    const { transport } = mount(h);
    await openSection('Privacy');
    fireEvent.change(await screen.findByLabelText('Contact phone number'), {
      target: { value: ' +49 151 23456789 ' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Erase…' }));
    expect(argsOf(transport, 'contacts.erase')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    fireEvent.click(screen.getByRole('button', { name: 'Erase…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Erase for good' }));
    const summary = await screen.findByTestId('erase-summary');
    expect(argsOf(transport, 'contacts.erase')).toEqual([{ phone: '+49 151 23456789' }]);
    expect(summary.textContent).toContain('12 messages');
    expect(summary.textContent).toContain('2 raw webhook bodies rewritten');
    expect(summary.textContent).not.toContain('quarantined');
  });

  it('saves raw retention in days, or keep-forever as null', async () => {
    const h = standardHandlers();
    let days: number | null = null;
    h['ingest.settings.get'] = () => ({ rawRetentionDays: days });
    h['ingest.settings.set'] = (args) => {
      days = (args as { rawRetentionDays: number | null }).rawRetentionDays;
      return { rawRetentionDays: days, pruned: 4 };
    };
    const { transport } = mount(h);
    await openSection('Privacy');
    fireEvent.change(await screen.findByLabelText('Days to keep raw bodies'), { target: { value: '30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Saved. 4 older bodies were dropped.')).toBeTruthy();
    await waitFor(() => expect(argsOf(transport, 'ingest.settings.get')).toHaveLength(2));
    // Let the reloaded settings land before changing the choice again.
    await act(() => new Promise((r) => setTimeout(r, 0)));
    fireEvent.click(screen.getByLabelText('Keep forever'));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(argsOf(transport, 'ingest.settings.set')).toHaveLength(2));
    expect(argsOf(transport, 'ingest.settings.set')).toEqual([
      { rawRetentionDays: 30 },
      { rawRetentionDays: null },
    ]);
  });
});

describe('templates and 360dialog address', () => {
  it('lists a channel’s templates with their buttons and fetches them again', async () => {
    const h = standardHandlers();
    h['channels.list'] = () => [
      {
        id: 'PN1',
        name: 'Shop',
        webhookPath: '/webhooks/360dialog/PN1',
        hasApiKey: true,
        createdAt: '2026-01-01T00:00:00Z',
      },
    ];
    h['templates.list'] = () => [
      {
        channel: 'PN1',
        name: 'spring_offer',
        language: 'de',
        status: 'APPROVED',
        category: 'MARKETING',
        buttons: [
          { index: 0, type: 'QUICK_REPLY', text: 'Book now' },
          { index: 1, type: 'QUICK_REPLY', text: 'Not now' },
        ],
        syncedAt: '2026-03-01T10:00:00Z',
      },
    ];
    h['templates.sync'] = () => ({ channel: 'PN1', templates: 1, buttons: 2 });
    h['dialog360.settings'] = () => ({ baseUrl: null, effectiveBaseUrl: 'https://waba-v2.360dialog.io' });
    h['dialog360.setSettings'] = (args) => ({
      baseUrl: (args as { baseUrl: string | null }).baseUrl,
      effectiveBaseUrl: (args as { baseUrl: string | null }).baseUrl ?? 'https://waba-v2.360dialog.io',
    });
    const { transport } = mount(h);
    await openSection('Templates');
    const table = await screen.findByTestId('templates-table');
    expect(within(table).getByText('spring_offer')).toBeTruthy();
    expect(within(table).getByText('Book now')).toBeTruthy();
    expect(within(table).getByText('Not now')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Fetch templates' }));
    expect(await screen.findByText(/Fetched 1 template with 2 buttons/)).toBeTruthy();
    expect(argsOf(transport, 'templates.sync')).toEqual([{ channel: 'PN1' }]);

    fireEvent.change(screen.getByLabelText('Base URL'), { target: { value: 'https://sandbox.example.com' } });
    fireEvent.submit(screen.getByLabelText('Base URL').closest('form')!);
    await waitFor(() =>
      expect(argsOf(transport, 'dialog360.setSettings')).toEqual([
        { baseUrl: 'https://sandbox.example.com' },
      ]),
    );
  });
});

describe('Meta app settings', () => {
  it('never shows the client token, sends only what changed, and can remove the token', async () => {
    const h = standardHandlers();
    let current: MetaSettings = {
      apiVersion: 'v25.0',
      baseUrl: 'https://graph.facebook.com',
      effectiveBaseUrl: 'https://graph.facebook.com',
      baseUrlFromEnv: false,
      appId: null,
      hasClientToken: true,
    };
    h['meta.status'] = () => ({ connected: false, needsLogin: false });
    h['meta.settings.get'] = () => current;
    h['meta.settings.set'] = (args) => {
      const a = args as { appId?: string; clientToken?: string | null };
      current = {
        ...current,
        ...(a.appId !== undefined ? { appId: a.appId } : {}),
        ...(a.clientToken !== undefined ? { hasClientToken: a.clientToken !== null } : {}),
      };
      return current;
    };
    const { transport } = mount(h);
    await openSection('Meta ads');
    const token = (await screen.findByTestId('meta-client-token')) as HTMLInputElement;
    expect(token.value).toBe('');
    expect(token.type).toBe('password');
    expect(token.placeholder).toMatch(/stored/);
    fireEvent.change(screen.getByLabelText('App id'), { target: { value: '1234567890' } });
    fireEvent.change(token, { target: { value: 'abcdef0123456789' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(argsOf(transport, 'meta.settings.set')).toEqual([
        { appId: '1234567890', clientToken: 'abcdef0123456789' },
      ]),
    );
    await waitFor(() => expect(token.value).toBe(''));
    fireEvent.click(screen.getByRole('button', { name: 'Remove client token' }));
    await waitFor(() => expect(argsOf(transport, 'meta.settings.set').at(-1)).toEqual({ clientToken: null }));
    expect(await screen.findByText(/Client token \(not set\)/)).toBeTruthy();
  });
});

describe('Attribution settings', () => {
  it('shows a rejected value under its field and drops the message once the field is edited', async () => {
    const h = standardHandlers();
    const settings = {
      conversationWindowHours: 24,
      attributionWindowDays: 7,
      currency: 'EUR',
      rollupThreshold: 5,
      timezone: 'Europe/Berlin',
      rebuildPending: false,
    };
    h['settings.get'] = () => settings;
    h['settings.set'] = (args) => {
      const { value } = args as { value: number };
      if (value > 2160) throw new Error('Conversation window must be a whole number of hours from 1 to 2160');
      return { ...settings, conversationWindowHours: value, rebuilt: true };
    };
    mount(h);
    await openSection('Attribution');
    const input = (await screen.findByTestId('setting-conversationWindowHours')) as HTMLInputElement;
    await waitFor(() => expect(input.value).toBe('24'));
    fireEvent.change(input, { target: { value: '5000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/whole number of hours/);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toBe(alert.id);

    fireEvent.change(input, { target: { value: '48' } });
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(input.getAttribute('aria-invalid')).toBeNull();
  });
});
