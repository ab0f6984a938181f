import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReportContext } from '../../../src/core/attribution/report/context';
import { makeTestCore, type TestCore } from '../../helpers/core';
import { feed, seed } from './feed';

// A report asked with `sourcesLimit` carries its first rows and how many there are; `report.sources` answers
// all of them, from the rows the report just counted (docs/architecture.md "Source rows on demand").

let core: TestCore;
const phone = '1000000001';
const range = { from: '2026-03-01', to: '2026-03-31' };

/** Sources (first messages) with 5, 4, 3, 2, 1 and 1 conversations: a tie at the end. */
function messages(extra = 0) {
  const out: { id: string; ts: string; text: string; contact: string }[] = [];
  const counts: [string, number][] = [
    ['alpha', 5],
    ['bravo', 4],
    ['charlie', 3],
    ['delta', 2],
    ['echo', 1],
    ['foxtrot', 1 + extra],
  ];
  for (const [word, n] of counts)
    for (let i = 0; i < n; i++)
      out.push({
        id: `${word}${i}`,
        ts: `2026-03-0${1 + (i % 9)} 10:00`,
        text: word,
        contact: `49${word.length}${i}${word}`,
      });
  return out;
}

beforeEach(() => {
  core = makeTestCore();
  feed(seed(core.db()), { messages: messages() });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await core.close();
});

describe('source rows on demand', () => {
  it('cuts the rows to the first ones in their order and says how many there are; all else is unchanged', async () => {
    const full = await core.call('report.get', { phone, range });
    expect(full.sources.length).toBeGreaterThan(3);
    expect(full.sourcesTotal).toBeUndefined();
    for (const method of ['report.get', 'report.dashboard'] as const) {
      const answer = await core.call(method, { phone, range, sourcesLimit: 3 });
      const cut = 'report' in answer ? answer.report : answer;
      const { sources, sourcesTotal, ...rest } = cut;
      expect(sources).toEqual(full.sources.slice(0, 3));
      expect(sourcesTotal).toBe(full.sources.length);
      const { sources: _all, ...fullRest } = full;
      expect(rest).toEqual(fullRest);
    }
    // A limit the rows fit in changes nothing.
    expect(await core.call('report.get', { phone, range, sourcesLimit: full.sources.length })).toEqual(full);
  });

  it('answers every row from the report just counted, and counts again once the data changed', async () => {
    const full = await core.call('report.get', { phone, range });
    const first = await core.call('report.get', { phone, range, sourcesLimit: 2 });
    // The dashboard names the event the report picked: nothing is counted again, not even the events.
    const counted = vi.spyOn(ReportContext.prototype, 'aggregator');
    const event = first.event!.id;
    expect((await core.call('report.sources', { phone, range, event })).sources).toEqual(full.sources);
    expect(counted).not.toHaveBeenCalled();
    // Without the event, the suggested one is picked again and the kept rows still serve.
    expect((await core.call('report.sources', { phone, range })).sources).toEqual(full.sources);

    // Another question (an event, a range) is counted, not taken from the kept rows.
    const march = await core.call('report.sources', {
      phone,
      range: { from: '2026-03-01', to: '2026-03-03' },
    });
    expect(counted).toHaveBeenCalled();
    expect(march.sources).toEqual(
      (await core.call('report.get', { phone, range: { from: '2026-03-01', to: '2026-03-03' } })).sources,
    );

    // New conversations after the report: the kept rows are stale and not used.
    await core.call('report.get', { phone, range, sourcesLimit: 2 });
    feed(core.db(), {
      messages: messages(3).filter((m) => m.id.startsWith('foxtrot') && m.id !== 'foxtrot0'),
    });
    const after = await core.call('report.sources', { phone, range });
    expect(after.sources).toEqual((await core.call('report.get', { phone, range })).sources);
    expect(after.sources).not.toEqual(full.sources);
  });

  it('refuses a limit below one in words', async () => {
    await expect(core.call('report.get', { phone, range, sourcesLimit: 0 })).rejects.toThrow(
      /sourcesLimit|at least/i,
    );
  });
});
