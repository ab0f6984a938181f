// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvestedEditor, parseAmount } from '../../src/renderer/src/components/InvestedEditor';

afterEach(cleanup);

const range = { from: '2026-03-01', to: '2026-03-30', timezone: 'Europe/Berlin' };
const value = (id: string) => (screen.getByTestId(id) as HTMLInputElement).value;

describe('invested editor', () => {
  it('defaults the period to the shown range, the currency to the workspace one and the amount to the current value', () => {
    render(
      <InvestedEditor
        sourceId="kw:promo10"
        sourceName="promo10"
        invested={123.456}
        investedFrom="manual"
        range={range}
        currency="EUR"
        onSave={async () => {}}
        onCancel={() => {}}
      />,
    );
    expect(value('invest-from')).toBe('2026-03-01');
    expect(value('invest-to')).toBe('2026-03-30');
    expect(value('invest-currency')).toBe('EUR');
    expect(value('invest-amount')).toBe('123.46');
  });

  it('saves exactly the range on screen', async () => {
    const onSave = vi.fn(async () => {});
    render(
      <InvestedEditor
        sourceId="ad:111"
        sourceName="Video A"
        invested={null}
        investedFrom="meta"
        range={range}
        currency="USD"
        onSave={onSave}
        onCancel={() => {}}
      />,
    );
    expect(screen.getByText(/Synced from Meta/)).toBeTruthy();
    fireEvent.change(screen.getByTestId('invest-amount'), { target: { value: '1,250.50' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSave).toHaveBeenCalled());
    expect(onSave).toHaveBeenCalledWith({
      sourceId: 'ad:111',
      amount: 1250.5,
      currency: 'USD',
      from: '2026-03-01',
      to: '2026-03-30',
    });
  });

  it('refuses a negative amount and an inverted period; Esc cancels', () => {
    const onCancel = vi.fn();
    render(
      <InvestedEditor
        sourceId="x"
        sourceName="x"
        invested={null}
        investedFrom={null}
        range={range}
        currency="USD"
        onSave={async () => {}}
        onCancel={onCancel}
      />,
    );
    fireEvent.change(screen.getByTestId('invest-amount'), { target: { value: '-5' } });
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId('invest-amount'), { target: { value: '5' } });
    fireEvent.change(screen.getByTestId('invest-from'), { target: { value: '2026-04-01' } });
    expect(screen.getByText('The start must be on or before the end')).toBeTruthy();
    fireEvent.keyDown(screen.getByTestId('invest-amount'), { key: 'Escape' });
    expect(onCancel).toHaveBeenCalled();
  });

  it('parses amounts typed in either decimal convention', () => {
    expect(parseAmount('1,234.50')).toBe(1234.5);
    expect(parseAmount('1.234,50')).toBe(1234.5);
    expect(parseAmount('99,9')).toBe(99.9);
    expect(parseAmount('1 000')).toBe(1000);
    expect(parseAmount('12,000')).toBe(12000);
    expect(parseAmount('abc')).toBeNull();
    expect(parseAmount('')).toBeNull();
  });
});
