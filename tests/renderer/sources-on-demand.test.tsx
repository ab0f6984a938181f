// @vitest-environment happy-dom
import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FIRST_SOURCE_ROWS, sourceRowsOf } from '../../src/renderer/src/state/store';
import type { Report, SourceRow } from '../../src/shared/contract';
import { fixtureReport, fixtureSources, standardHandlers } from './fixtures';
import { argsOf, mount } from './mount';

// A report comes with its first source rows; the dashboard then asks for all of them (report.sources) and
// the table, its count and its CSV wait for them without shrinking when the same rows are asked again.

afterEach(cleanup);

const many: SourceRow[] = Array.from({ length: FIRST_SOURCE_ROWS + 50 }, (_, i) => ({
  ...fixtureSources[0]!,
  id: `text:keyword ${i}`,
  kind: 'first_message',
  name: `keyword ${i}`,
  conversations: 1000 - i,
  meta: undefined,
}));

/** The core's answer to a query: the first `sourcesLimit` rows and how many there are. */
function answer(q: { sourcesLimit?: number }): Report {
  const full = fixtureReport({ sources: many });
  const limit = q.sourcesLimit;
  return limit !== undefined && many.length > limit
    ? { ...full, sources: many.slice(0, limit), sourcesTotal: many.length }
    : full;
}

describe('source rows on demand', () => {
  it('shows the first rows, asks for the rest with the event the report picked, then shows them all', async () => {
    const h = standardHandlers();
    h['report.get'] = (a) => answer(a as { sourcesLimit?: number });
    let release: () => void = () => undefined;
    h['report.sources'] = () =>
      new Promise((resolve) => {
        release = () => resolve({ sources: many });
      });
    const { transport, store } = mount(h);
    await screen.findByTestId('dashboard');
    await waitFor(() => expect(argsOf(transport, 'report.sources')).toHaveLength(1));
    expect(argsOf(transport, 'report.dashboard')[0]).toMatchObject({ sourcesLimit: FIRST_SOURCE_ROWS });
    // Only what decides the rows: no limit, funnel or comparison, and the report's own event.
    expect(argsOf(transport, 'report.sources')[0]).toEqual({
      phone: 'pn1',
      range: { preset: '30d' },
      event: 'ext:purchase',
    });
    expect(sourceRowsOf(store.getState())).toHaveLength(FIRST_SOURCE_ROWS);
    expect(await screen.findByText(`Loading all ${many.length}…`)).toBeTruthy();
    expect((screen.getByTestId('export-sources') as HTMLButtonElement).disabled).toBe(true);

    release();
    expect(await screen.findByText(`${many.length} of ${many.length}`)).toBeTruthy();
    expect(sourceRowsOf(store.getState())).toEqual(many);
    expect((screen.getByTestId('export-sources') as HTMLButtonElement).disabled).toBe(false);

    // The same rows asked again (another funnel): the full list stays on screen until the new one is in.
    store.getState().setFunnel(['ext:purchase']);
    await waitFor(() => expect(argsOf(transport, 'report.sources')).toHaveLength(2));
    expect(sourceRowsOf(store.getState())).toEqual(many);
    expect(store.getState().report?.sourcesTotal).toBe(many.length);
    release();
    await waitFor(() => expect(screen.getByText(`${many.length} of ${many.length}`)).toBeTruthy());
  });

  it('asks for nothing more when the report brought every row', async () => {
    const { transport } = mount();
    await screen.findByTestId('dashboard');
    await waitFor(() => expect(argsOf(transport, 'report.dashboard')).toHaveLength(1));
    await screen.findAllByTestId('source-row');
    expect(argsOf(transport, 'report.sources')).toHaveLength(0);
  });
});
