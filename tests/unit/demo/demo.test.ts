import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rebuildDerived } from '../../../src/core/attribution/rebuild';
import { buildDemo } from '../../../src/core/demo/demo-workspace';
import { generateDemo } from '../../../src/core/demo/generate';
import { ensureTemplate, templatePath, wallClockShifter } from '../../../src/core/demo/template';
import { allHandlers, internalHandlers } from '../../../src/core/entry/handlers';
import { Dispatcher } from '../../../src/core/host/dispatcher';
import { normalizePayload } from '../../../src/core/ingest/normalize';
import type { CoreContext } from '../../../src/core/kernel/context';
import { workspaceDbPath, workspaceExists } from '../../../src/core/workspace/workspaces';
import type { Report } from '../../../src/shared/contract/report';
import { makeTestCore, type TestCore, tempDir } from '../../helpers/core';

const NOW = DateTime.fromISO('2026-11-20T15:00:00', { zone: 'Europe/Berlin' });
const SCALE = 0.05;
let core: TestCore | undefined;
let dispatcher: Dispatcher | undefined;
afterEach(async () => {
  dispatcher?.close();
  dispatcher = undefined;
  await core?.close();
  core = undefined;
});

/** A job context on the test core's data folder (what the job lane gives demo.build). */
function demoContext(c: TestCore, overrides: Partial<CoreContext> = {}): CoreContext {
  dispatcher ??= new Dispatcher({
    dataDir: c.dataDir,
    secrets: {} as never,
    handlers: allHandlers,
    internal: internalHandlers,
  });
  const d = dispatcher;
  return {
    dataDir: c.dataDir,
    workspace: 'demo',
    db: () => d.db('demo'),
    dbFor: (w) => d.db(w),
    closeDb: (w) => d.closeDb(w),
    secrets: {} as never,
    progress: () => {},
    signal: new AbortController().signal,
    emit: () => {},
    yield: async () => {},
    ...overrides,
  };
}

const steps = { step: () => {}, yield: async () => {} };

// One template, ingested through the real path for "now" 40 days before NOW, serves every test below
// (each copies it into its data folder): building it is what takes time.
const DAYS = 40;
const ANCHOR = NOW.minus({ days: DAYS });
const SEED = 9;
let shared = '';
beforeAll(async () => {
  shared = await ensureTemplate(tempDir(), { seed: SEED, now: ANCHOR, scale: SCALE }, steps);
}, 120_000);
afterAll(() => fs.rmSync(path.dirname(path.dirname(shared)), { recursive: true, force: true }));

/** A test core whose data folder already has the shared template. */
function coreWithTemplate(): TestCore {
  const c = makeTestCore();
  const file = templatePath(c.dataDir, SEED, SCALE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.copyFileSync(shared, file);
  return c;
}
const berlinOf = async (c: TestCore, ws: string) =>
  (await c.call('phones.list', {}, ws)).find((p) => p.name === 'Lumen Skincare Berlin')!;

/** A report without what names its dates, to compare the same data on other dates. */
const undated = (r: Report, expected = false, days = 0) => ({
  totals: r.totals,
  previous: {
    ...r.previous,
    range: undefined,
    // The first day with data moves with the data.
    dataFrom: r.previous.dataFrom && DateTime.fromISO(r.previous.dataFrom).plus({ days }).toISODate(),
  },
  sources: r.sources,
  // Wall-clock times are kept, so a delay across a daylight-saving change moves by up to an hour.
  // (checked apart, within an hour).
  funnel: r.funnel.map(({ medianSecondsFromStart, ...step }) => ({
    ...step,
    median:
      expected && medianSecondsFromStart !== null
        ? expect.closeTo(medianSecondsFromStart, -Math.log10(7200))
        : medianSecondsFromStart,
  })),
  // Weeks and months start on other days once the dates move: only daily points compare one to one.
  series:
    r.seriesGranularity === 'day' ? r.series.map((p) => [p.conversations, p.leads]) : r.seriesGranularity,
  unattributed: r.unattributedExternalEvents,
});

describe('demo dataset', () => {
  it('is deterministic for a seed, covers 24 months and never lies in the future', () => {
    const a = generateDemo({ seed: 7, now: NOW, scale: SCALE });
    const b = generateDemo({ seed: 7, now: NOW, scale: SCALE });
    expect(JSON.stringify(a.payloads)).toEqual(JSON.stringify(b.payloads));
    expect(generateDemo({ seed: 8, now: NOW, scale: SCALE }).payloads).not.toEqual(a.payloads);
    const nowUnix = NOW.toSeconds();
    for (const e of a.externalEvents) expect(e.timestamp).toBeLessThanOrEqual(nowUnix);
    expect(a.conversations).toBeGreaterThan(1000);
    // The previous period of the 12-month preset lies wholly inside the history.
    const first = (
      a.payloads[0] as { entry: { changes: { value: { messages: { timestamp: string }[] } }[] }[] }
    ).entry[0]!.changes[0]!.value.messages[0]!.timestamp;
    expect(Number(first)).toBeLessThan(NOW.minus({ months: 24 }).toSeconds());
    const firstSpend = Math.min(
      ...a.ads.flatMap((ad) => Object.keys(ad.dailySpend).map((d) => Date.parse(d))),
    );
    expect(firstSpend).toBeLessThan(NOW.minus({ months: 23 }).toMillis());
  });

  it('produces payloads the real normalizer accepts', () => {
    const demo = generateDemo({ seed: 3, now: NOW, scale: 0.02 });
    for (const body of demo.payloads.slice(0, 300)) {
      const r = normalizePayload(body);
      expect(r.ok, JSON.stringify(r).slice(0, 300)).toBe(true);
    }
  });

  it('moves times by whole calendar days and keeps the wall-clock time across daylight saving', () => {
    const zone = 'Europe/Berlin';
    const shift = wallClockShifter(zone, 150);
    for (const iso of [
      '2026-01-10T09:30:00',
      '2026-03-29T01:59:00',
      '2026-07-01T23:45:00',
      '2025-12-31T00:05:00',
    ]) {
      const t = DateTime.fromISO(iso, { zone });
      const moved = DateTime.fromSeconds(shift(t.toSeconds()), { zone });
      expect(moved.toFormat('HH:mm')).toBe(t.toFormat('HH:mm'));
      expect(moved.startOf('day').diff(t.startOf('day'), 'days').days).toBe(150);
    }
  });
});

describe('demo workspace', () => {
  it('builds a coherent workspace: reports, channels, templates and a Meta account that syncs', async () => {
    core = coreWithTemplate();
    const built = await buildDemo(demoContext(core), { seed: SEED, now: NOW, scale: SCALE });
    expect(built.workspace).toBe('demo');

    const phones = await core.call('phones.list', {}, 'demo');
    expect(phones.map((p) => p.name)).toEqual(['Lumen Skincare Amsterdam', 'Lumen Skincare Berlin']);
    const berlin = phones.find((p) => p.name === 'Lumen Skincare Berlin')!;
    const range = { from: '2026-08-01', to: '2026-11-20' };
    const report = await core.call('report.get', { phone: berlin.id, range }, 'demo');
    expect(report.range.timezone).toBe('Europe/Berlin');
    expect(report.totals.currency).toBe('EUR');
    expect(report.totals.conversations).toBeGreaterThan(50);
    const kinds = new Set(report.sources.map((s) => s.kind));
    for (const kind of ['meta_ad', 'keyword', 'first_message', 'outgoing'] as const)
      expect(kinds).toContain(kind);
    const ad = report.sources.find((s) => s.kind === 'meta_ad' && s.conversations > 0)!;
    expect(ad.name).toMatch(/ › .+ › /);
    expect(ad.invested).toBeGreaterThan(0);
    // Each number's ad account is linked to that number only: no Amsterdam ads on Berlin's report.
    expect(report.sources.filter((s) => s.kind === 'meta_ad').every((s) => !s.name.includes(' NL'))).toBe(
      true,
    );
    // 12 months compare against the 12 before.
    const year = await core.call('report.get', { phone: berlin.id, range: { preset: '12m' } }, 'demo');
    expect(year.previous.conversations).toBeGreaterThan(0);

    // Settings of the demo: its channels, their templates, and the Meta account it is connected to.
    const channels = await core.call('channels.list', {}, 'demo');
    expect(channels.map((c) => c.name).sort()).toEqual(['Lumen Skincare Amsterdam', 'Lumen Skincare Berlin']);
    const templates = await core.call('templates.list', { channel: berlin.id }, 'demo');
    expect(templates.map((t) => t.name).sort()).toEqual([
      'black_week_preview',
      'restock_alert',
      'spring_glow_launch',
    ]);
    expect(templates.find((t) => t.name === 'restock_alert')!.buttons.map((b) => b.text)).toEqual([
      'Reserve mine',
      'Maybe later',
    ]);
    const status = await core.call('meta.status', {}, 'demo');
    expect(status.connected).toBe(true);

    // Sync now: the real client and sync against the demo's Graph find the same spend again.
    const synced = await core.call('meta.sync', {}, 'demo');
    expect(synced.accounts).toBeGreaterThan(0);
    const after = await core.call('report.get', { phone: berlin.id, range }, 'demo');
    expect(after.totals.invested).toBeCloseTo(report.totals.invested!, 6);
    const accounts = await core.call('meta.accounts', { refresh: true }, 'demo');
    expect(accounts.map((a) => a.id).sort()).toEqual(['act_100000000000001', 'act_100000000000002']);
  });

  it('builds again on the same data folder with the same result', async () => {
    core = coreWithTemplate();
    const first = await buildDemo(demoContext(core), { seed: SEED, now: NOW, scale: SCALE });
    const berlin = await berlinOf(core, 'demo');
    const range = { from: '2026-01-01', to: '2026-11-20' };
    const before = await core.call('report.get', { phone: berlin.id, range }, 'demo');
    const second = await buildDemo(demoContext(core), { seed: SEED, now: NOW, scale: SCALE });
    expect(second).toEqual(first);
    const again = await core.call('report.get', { phone: berlin.id, range }, 'demo');
    expect(again).toEqual(before);
  });

  it('re-dated to a later day, reports what the data ingested directly reported, moved by those days', async () => {
    core = coreWithTemplate();
    const days = DAYS;
    const anchor = ANCHOR;
    // The template was ingested through the real path for "now" 40 days ago; a copy of it is a workspace.
    fs.mkdirSync(path.dirname(workspaceDbPath(core.dataDir, 'direct')), { recursive: true });
    fs.copyFileSync(shared, workspaceDbPath(core.dataDir, 'direct'));
    // Five hours earlier in the day than the template's "now": moved, its last five hours lie in the future.
    const now = NOW.minus({ hours: 5 });
    await buildDemo(demoContext(core), { seed: SEED, now, scale: SCALE });

    const phone = (await berlinOf(core, 'direct')).id;
    const at = (d: DateTime) => d.toISODate()!;
    for (const [from, to] of [
      [anchor.minus({ days: 30 }), anchor.minus({ days: 1 })],
      [anchor.minus({ days: 200 }), anchor.minus({ days: 20 })],
      [anchor.minus({ months: 12 }), anchor.minus({ days: 1 })],
    ] as const) {
      const direct = await core.call(
        'report.get',
        { phone, range: { from: at(from), to: at(to) } },
        'direct',
      );
      const demo = await core.call(
        'report.get',
        { phone, range: { from: at(from.plus({ days })), to: at(to.plus({ days })) } },
        'demo',
      );
      expect(direct.totals.conversations).toBeGreaterThan(0);
      expect(undated(demo)).toEqual(undated(direct, true, days));
    }
    // The moved derived tables are what deriving the moved raw rows again gives (the ordinary rebuild).
    const ranges = [NOW, NOW.minus({ days: 6 }), NOW.minus({ days: 29 }), NOW.minus({ months: 12 })].map(
      (from) => ({ from: at(from), to: at(NOW) }),
    );
    const moved = [];
    for (const range of ranges) moved.push(await core.call('report.get', { phone, range }, 'demo'));
    await rebuildDerived(core.db('demo'));
    for (const [i, range] of ranges.entries())
      expect(await core.call('report.get', { phone, range }, 'demo'), range.from).toEqual(moved[i]);
    // Nothing after now, and data up to it.
    const lastMessage = (await core.call('phones.list', {}, 'demo')).find((p) => p.id === phone)!
      .lastMessageAt!;
    expect(Date.parse(lastMessage)).toBeLessThanOrEqual(now.toMillis());
    expect(Date.parse(lastMessage)).toBeGreaterThan(now.minus({ days: 1 }).toMillis());
  });

  it('cancelled, leaves no demo workspace and no half-built template', async () => {
    core = makeTestCore();
    const abort = new AbortController();
    const ctx = demoContext(core, {
      signal: abort.signal,
      progress: (f) => {
        if ((f ?? 0) > 0.3) abort.abort();
      },
    });
    await expect(buildDemo(ctx, { seed: 3, now: NOW, scale: SCALE })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(workspaceExists(core.dataDir, 'demo')).toBe(false);
    expect(fs.readdirSync(path.dirname(templatePath(core.dataDir, 3, SCALE)))).toEqual([]);

    // Cancelled while re-dating a cached template: still no demo workspace, no leftover copy.
    await ensureTemplate(core.dataDir, { seed: 3, now: NOW, scale: SCALE }, steps);
    const again = new AbortController();
    const ctx2 = demoContext(core, {
      signal: again.signal,
      progress: (f) => {
        if ((f ?? 0) > 0.85) again.abort();
      },
    });
    await expect(buildDemo(ctx2, { seed: 3, now: NOW, scale: SCALE })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(workspaceExists(core.dataDir, 'demo')).toBe(false);
    expect(fs.readdirSync(path.dirname(templatePath(core.dataDir, 3, SCALE)))).toEqual([
      path.basename(templatePath(core.dataDir, 3, SCALE)),
    ]);
  });

  it('after a build stopped by terminating its worker, demo.recover removes its scratch files only', async () => {
    core = coreWithTemplate();
    const dir = path.dirname(templatePath(core.dataDir, SEED, SCALE));
    const kept = fs.readdirSync(dir);
    // What a worker terminated mid-build leaves: an unfinished template and a re-dating copy with its WAL.
    const left = ['demo-v2-seed42-scale1.sqlite.0a.building', 'demo-v2-seed42-scale1.sqlite.0b.copy'];
    for (const f of [...left, `${left[1]}-wal`]) fs.writeFileSync(path.join(dir, f), 'partial');
    const ctx = demoContext(core);
    expect(await internalHandlers['demo.recover']!({ stoppedThreads: [] }, ctx)).toEqual({ removed: 3 });
    expect(fs.readdirSync(dir)).toEqual(kept);
  });
});
