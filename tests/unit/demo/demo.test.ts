import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDemo } from '../../../src/core/demo/build-demo';
import { generateDemo } from '../../../src/core/demo/generate';
import { allHandlers, internalHandlers } from '../../../src/core/handlers';
import type { CoreContext } from '../../../src/core/host/context';
import { Dispatcher } from '../../../src/core/host/dispatcher';
import { normalizePayload } from '../../../src/core/ingest/normalize';
import { makeTestCore, type TestCore } from '../../helpers/core';

const NOW = DateTime.fromISO('2026-11-20T15:00:00', { zone: 'Europe/Berlin' });
let core: TestCore | undefined;
afterEach(async () => {
  await core?.close();
  core = undefined;
});

describe('demo dataset', () => {
  it('is deterministic for a seed and never lies in the future', () => {
    const a = generateDemo({ seed: 7, now: NOW, scale: 0.05 });
    const b = generateDemo({ seed: 7, now: NOW, scale: 0.05 });
    expect(JSON.stringify(a.payloads)).toEqual(JSON.stringify(b.payloads));
    expect(generateDemo({ seed: 8, now: NOW, scale: 0.05 }).payloads).not.toEqual(a.payloads);
    const nowUnix = NOW.toSeconds();
    for (const e of a.externalEvents) expect(e.timestamp).toBeLessThanOrEqual(nowUnix);
    expect(a.conversations).toBeGreaterThan(500);
  });

  it('produces payloads the real normalizer accepts', () => {
    const demo = generateDemo({ seed: 3, now: NOW, scale: 0.02 });
    for (const body of demo.payloads.slice(0, 300)) {
      const r = normalizePayload(body);
      expect(r.ok, JSON.stringify(r).slice(0, 300)).toBe(true);
    }
  });

  it('builds a workspace whose report shows conversations, sources and invested amounts', async () => {
    core = makeTestCore();
    const dispatcher = new Dispatcher({
      dataDir: core.dataDir,
      secrets: {} as never,
      handlers: allHandlers,
      internal: internalHandlers,
    });
    const ctx: CoreContext = {
      dataDir: core.dataDir,
      workspace: 'demo',
      db: () => dispatcher.db('demo'),
      dbFor: (w) => dispatcher.db(w),
      closeDb: (w) => dispatcher.closeDb(w),
      secrets: {} as never,
      progress: () => {},
      signal: new AbortController().signal,
      emit: () => {},
      yield: async () => {},
    };
    const built = await buildDemo(ctx, { seed: 11, now: NOW, scale: 0.08 });
    dispatcher.close();
    expect(built.workspace).toBe('demo');

    const phones = await core.call('phones.list', {}, 'demo');
    expect(phones.map((p) => p.name)).toEqual(['Lumen Skincare Amsterdam', 'Lumen Skincare Berlin']);
    const berlin = phones.find((p) => p.name === 'Lumen Skincare Berlin')!;
    const report = await core.call(
      'report.get',
      { phone: berlin.id, range: { from: '2026-08-01', to: '2026-11-20' } },
      'demo',
    );
    expect(report.range.timezone).toBe('Europe/Berlin');
    expect(report.totals.currency).toBe('EUR');
    expect(report.totals.conversations).toBeGreaterThan(100);
    const kinds = new Set(report.sources.map((s) => s.kind));
    for (const kind of ['meta_ad', 'keyword', 'first_message', 'outgoing'] as const)
      expect(kinds).toContain(kind);
    const ad = report.sources.find((s) => s.kind === 'meta_ad' && s.conversations > 0)!;
    expect(ad.name).toMatch(/ › .+ › /);
    expect(ad.invested).toBeGreaterThan(0);
    expect(report.totals.invested).toBeGreaterThan(0);
    // Each number's ad account is linked to that number only: no Amsterdam ads on Berlin's report.
    expect(report.sources.filter((s) => s.kind === 'meta_ad').every((s) => !s.name.includes(' NL'))).toBe(
      true,
    );

    // Rebuilding replaces the data rather than adding to it.
    const again = await core.call(
      'report.get',
      { phone: berlin.id, range: { from: '2026-08-01', to: '2026-11-20' } },
      'demo',
    );
    expect(again.totals).toEqual(report.totals);
  });
});
