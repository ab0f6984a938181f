// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/renderer/src/api/client';
import { EventList } from '../../src/renderer/src/components/EventPicker';
import { InvestedEditor, LARGE_INVESTED } from '../../src/renderer/src/components/InvestedEditor';
import { Modal } from '../../src/renderer/src/components/Modal';
import { AppProvider } from '../../src/renderer/src/state/context';
import { createDashboardStore } from '../../src/renderer/src/state/store';
import type { AvailableEvent } from '../../src/shared/contract';
import { fakeTransport, standardHandlers } from './fixtures';

// Keyboard and input behaviour of the dashboard's dialogs: the event list's arrows,
// the dialog's focus trap, the amount field and the confirmation of a large amount.

afterEach(cleanup);

const range = { from: '2026-03-01', to: '2026-03-30', timezone: 'Europe/Berlin' };

const ev = (id: string, label: string, leads: number): AvailableEvent => ({
  id,
  label,
  kind: 'button',
  leads,
  occurrences: leads,
});

function withStore(ui: React.ReactNode) {
  const client = createClient(fakeTransport(standardHandlers()));
  const store = createDashboardStore(client);
  return render(
    <AppProvider client={client} store={store}>
      {ui}
    </AppProvider>,
  );
}

describe('event list', () => {
  it('filters as one types; the arrows move a highlight and Enter picks it', () => {
    const onPick = vi.fn();
    withStore(
      <EventList
        events={[ev('e1', 'Buy now', 9), ev('e2', 'Book a call', 5), ev('e3', 'More info', 2)]}
        selected={null}
        onPick={onPick}
      />,
    );
    const search = screen.getByTestId('event-search');
    fireEvent.change(search, { target: { value: 'b' } });
    expect(screen.queryByText('More info')).toBeNull();
    fireEvent.keyDown(search, { key: 'ArrowDown' });
    fireEvent.keyDown(search, { key: 'ArrowDown' });
    fireEvent.keyDown(search, { key: 'ArrowDown' }); // wraps to the first
    fireEvent.keyDown(search, { key: 'ArrowUp' }); // back to the last
    const active = document.querySelector('.event-option.active');
    expect(active?.textContent).toContain('Book a call');
    expect(search.getAttribute('aria-activedescendant')).toBe(active?.id);
    fireEvent.keyDown(search, { key: 'Enter' });
    expect(onPick).toHaveBeenCalledWith('e2');
  });
});

describe('modal', () => {
  it('keeps Tab inside and gives the focus back on close', () => {
    const outside = document.createElement('button');
    document.body.append(outside);
    outside.focus();
    const { unmount } = render(
      <Modal label="Test" onClose={() => {}}>
        <input data-testid="first" />
        <button type="button">Last</button>
      </Modal>,
    );
    const first = screen.getByTestId('first');
    const last = screen.getByRole('button', { name: 'Last' });
    expect(document.activeElement).toBe(first);
    last.focus();
    fireEvent.keyDown(last, { key: 'Tab' });
    expect(document.activeElement).toBe(first);
    fireEvent.keyDown(first, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(last);
    unmount();
    expect(document.activeElement).toBe(outside);
    outside.remove();
  });
});

describe('invested amount', () => {
  const editor = (onSave = vi.fn(async () => {})) => {
    render(
      <InvestedEditor
        sourceId="kw:x"
        sourceName="x"
        invested={250}
        investedFrom="manual"
        range={range}
        currency="EUR"
        onSave={onSave}
        onCancel={() => {}}
      />,
    );
    return onSave;
  };

  it('selects its value on focus, so typing replaces it', () => {
    editor();
    const amount = screen.getByTestId('invest-amount') as HTMLInputElement;
    fireEvent.focus(amount);
    expect([amount.selectionStart, amount.selectionEnd]).toEqual([0, amount.value.length]);
  });

  it(`asks before saving more than ${LARGE_INVESTED}`, async () => {
    const onSave = editor();
    fireEvent.change(screen.getByTestId('invest-amount'), { target: { value: '25000000' } });
    expect(screen.getByTestId('invest-large').textContent).toMatch(/more than €1,000,000\b/);
    const save = screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Yes, it is' }));
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    await waitFor(() => expect(onSave).toHaveBeenCalledWith(expect.objectContaining({ amount: 25_000_000 })));
  });
});
