import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReportContext } from '../../../src/core/attribution/report/context';
import { makeTestCore, type TestCore } from '../../helpers/core';
import { feed, seed } from './feed';

// report.dashboard: what report.get and events.list answer for the same query, with the events counted once.

let core: TestCore;
beforeEach(() => {
  core = makeTestCore();
  feed(seed(core.db()), {
    messages: [
      {
        id: 'a',
        ts: '2026-03-02 10:00',
        text: 'x',
        referral: { source_id: '77', headline: 'Ad' },
        contact: '4911',
      },
      { id: 'c', ts: '2026-03-04 10:00', text: 'Hello', contact: '4933' },
      { id: 'c2', ts: '2026-03-04 10:05', button: { text: 'Book now' }, contact: '4933' },
    ],
    events: [
      { id: 'e', action: 'Purchase', ts: '2026-03-02 12:00', contact: '4911', amount: 20, currency: 'USD' },
    ],
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await core.close();
});

const range = { from: '2026-03-01', to: '2026-03-31' };

describe('report.dashboard', () => {
  it('answers the report and the event list of report.get and events.list', async () => {
    for (const q of [
      { phone: '1000000001', range },
      { phone: '1000000001', range, event: 'button:Book now' },
    ]) {
      const both = await core.call('report.dashboard', q);
      expect(both.report).toEqual(await core.call('report.get', q));
      expect(both.events).toEqual(await core.call('events.list', { phone: '1000000001', range, limit: 500 }));
    }
    const one = await core.call('report.dashboard', { phone: '1000000001', range, eventsLimit: 1 });
    expect(one.events).toEqual({
      events: [expect.objectContaining({ id: 'ext:Purchase' })],
      suggested: 'ext:Purchase',
    });
  });

  it('counts the available events once when the report picks the suggested event', async () => {
    const counted = vi.spyOn(
      ReportContext.prototype as unknown as { computeAvailableEvents: () => unknown },
      'computeAvailableEvents',
    );
    const r = await core.call('report.dashboard', { phone: '1000000001', range });
    expect(r.report.event?.id).toBe('ext:Purchase');
    expect(counted).toHaveBeenCalledTimes(1);
  });

  it('keeps the first events of each kind with eventsPerKind and counts each kind in all', async () => {
    feed(core.db(), {
      messages: [
        { id: 't1', ts: '2026-03-05 10:00', text: 'Hi', contact: '4944' },
        { id: 't2', ts: '2026-03-05 10:05', text: 'Price?', contact: '4944' },
        { id: 't3', ts: '2026-03-05 10:06', text: 'Thanks', contact: '4944' },
      ],
    });
    const all = (await core.call('report.dashboard', { phone: '1000000001', range })).events;
    const cut = (await core.call('report.dashboard', { phone: '1000000001', range, eventsPerKind: 1 }))
      .events;
    const count = (kind: string) => all.events.filter((e) => e.kind === kind).length;
    expect(count('text')).toBeGreaterThan(1);
    // The first of each kind, in the full list's order; every kind still there.
    const kinds = [...new Set(all.events.map((e) => e.kind))];
    expect(cut.events).toEqual(kinds.map((k) => all.events.find((e) => e.kind === k)));
    expect(cut.kinds).toEqual(Object.fromEntries(kinds.map((k) => [k, count(k)])));
    expect(cut.suggested).toBe(all.suggested);
    // A list that fits is the whole list, without counts.
    const fits = (await core.call('report.dashboard', { phone: '1000000001', range, eventsPerKind: 100 }))
      .events;
    expect(fits).toEqual(all);
  });

  it('counts each kind over every event, beyond the first 500 of an uncut list', async () => {
    // 520 distinct text replies in one conversation: more events than a list without a limit holds.
    feed(core.db(), {
      messages: Array.from({ length: 521 }, (_, i) => ({
        id: `many${i}`,
        ts: `2026-03-06 ${String(10 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
        text: `reply ${i}`,
        contact: '4955',
      })),
    });
    const listed = await core.call('events.list', { phone: '1000000001', range, limit: 10000 });
    const texts = listed.events.filter((e) => e.kind === 'text').length;
    expect(texts).toBeGreaterThan(500);
    const cut = (await core.call('report.dashboard', { phone: '1000000001', range, eventsPerKind: 20 }))
      .events;
    expect(cut.kinds?.text).toBe(texts);
    expect(cut.events.filter((e) => e.kind === 'text')).toHaveLength(20);
    // eventsLimit, when given, still caps the list.
    const capped = (
      await core.call('report.dashboard', { phone: '1000000001', range, eventsPerKind: 20, eventsLimit: 3 })
    ).events;
    expect(capped.events).toHaveLength(3);
    expect(capped.kinds?.text).toBe(texts);
  });

  it('validates like report.get', async () => {
    await expect(
      core.call('report.dashboard', { phone: '1000000001', range, eventsLimit: 0 }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
      field: 'eventsLimit',
    });
    await expect(core.call('report.dashboard', { phone: 'nope', range })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
