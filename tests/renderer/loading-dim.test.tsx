// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SLOW_LOAD_MS } from '../../src/renderer/src/lib/delayed';
import { fixtureReport, standardHandlers } from './fixtures';
import { mount } from './mount';

// A load says it is busy at once (aria-busy, the dot) and dims the panels only once a person waits for it.

afterEach(cleanup);

const panels = () => document.querySelector('.panels') as HTMLElement;
const wait = (ms: number) => act(() => new Promise((r) => setTimeout(r, ms)));

describe('panels while a report loads', () => {
  it('are busy at once and dim only when the load lasts', async () => {
    const h = standardHandlers();
    let answer: () => void = () => undefined;
    let slow = false;
    h['report.get'] = () =>
      slow ? new Promise((resolve) => (answer = () => resolve(fixtureReport()))) : fixtureReport();
    mount(h);
    await screen.findByTestId('dashboard');
    await waitFor(() => expect(panels().getAttribute('aria-busy')).toBe('false'));

    slow = true;
    fireEvent.click(screen.getByRole('button', { name: '7D' }));
    expect(panels().getAttribute('aria-busy')).toBe('true');
    expect(panels().classList.contains('is-refreshing')).toBe(false);
    await wait(SLOW_LOAD_MS / 2);
    expect(panels().classList.contains('is-refreshing')).toBe(false);
    await wait(SLOW_LOAD_MS);
    expect(panels().classList.contains('is-refreshing')).toBe(true);

    answer();
    await waitFor(() => expect(panels().getAttribute('aria-busy')).toBe('false'));
    expect(panels().classList.contains('is-refreshing')).toBe(false);
  });
});
