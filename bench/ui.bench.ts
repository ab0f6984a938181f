// npm run bench:ui [-- --db /tmp/insights-bench-XXXX/bench.sqlite] [--runs N]
//
// Browser mode end to end: `insights serve` + the system Chromium (playwright-core). Prints medians of
//  - the first dashboard render after launch (navigation start → first report on screen, performance
//    measure `insights:first-render`), target < 1 s, split into the page and its boot calls until the
//    report is asked, the report call (handler and transport, as below) and the UI's rest; each launch is a
//    new page in one browser profile, kept as Electron keeps its own (caches), and the first launch of
//    that profile is printed apart as a first visit;
//  - a range / event / phone change, made once the page's previous calls are answered (as a person reads
//    the numbers before the next click) → every panel updated (measure `insights:update`, from the click to
//    the commit after the chart and table effects), split in the page into the handler's own time (in its
//    lane, sent back with the answer), the transport's (the report call as the page saw it, minus the
//    handler: validation, lane hop, JSON, HTTP) and the UI's (the rest: events, React, chart, table);
//    targets: transport ≤ 10 ms, UI ≤ 50 ms. The transport is split again into the wire (request out to
//    last byte in, Resource Timing, minus the handler) and the page (JSON parse and waits for its main
//    thread, busy with the click's own render); "all rows in" is when the rest of the source rows
//    (report.sources) arrived, from the click;
//  - the same split for the IPC path without Electron's own channel (the main process's entry, in Node);
//  - the same calls over HTTP, and the first render after launch, in a Chromium that Playwright does not
//    drive (pipe-chromium.ts): its network instrumentation adds milliseconds to every request of the
//    pages it drives, and its injected scripts run in them while they start.
//  - "Explore demo data": the click on a fresh data folder (and again after "Leave demo") → the dashboard
//    showing the demo's numbers, target ≤ 3 s.
// Data: the attribution benchmark's database (`npm run bench:report -- --keep` prints its path) when --db
// is given, else the demo workspace built into a temp folder. Needs the build: npm run build.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { FIRST_EVENTS_PER_KIND, FIRST_SOURCE_ROWS } from '../src/renderer/src/state/store';
import { CHROMIUM_ARGS } from '../tests/helpers/chromium-args';
import { launchPipeChromium, type PipeChromium } from './pipe-chromium';

const ROOT = path.resolve(import.meta.dirname, '..');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('--runs') ?? 7);
const TOKEN = 'bench-ui-token';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (x: number) => `${x.toFixed(0)} ms`;

function run(cmd: string[]): void {
  // Inherit stdio so the demo build shows its progress.
  const r = spawnSync(process.execPath, cmd, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed (${r.status})`);
}

async function prepareData(): Promise<{ dataDir: string; workspace: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-bench-ui-'));
  const db = arg('--db');
  if (db) {
    const ws = path.join(dataDir, 'workspaces', 'bench');
    fs.mkdirSync(ws, { recursive: true });
    fs.copyFileSync(db, path.join(ws, 'insights.sqlite'));
    return { dataDir, workspace: 'bench' };
  }
  console.log(`No --db given: building the demo workspace in ${dataDir}`);
  run([path.join(ROOT, 'bin', 'insights.js'), 'demo', '--data-dir', dataDir]);
  return { dataDir, workspace: 'demo' };
}

function serve(dataDir: string): Promise<{ child: ChildProcess; origin: string }> {
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'insights.js'),
      'serve',
      '--port',
      '0',
      '--no-open',
      '--token',
      TOKEN,
      '--data-dir',
      dataDir,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\bon (http:\/\/[^/\s]+)/.exec(out);
      if (m?.[1]) resolve({ child, origin: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code})`)));
  });
}

async function api<T>(origin: string, workspace: string, method: string, args: unknown): Promise<T> {
  const res = await fetch(`${origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ workspace, args }),
  });
  const body = (await res.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!body.ok) throw new Error(body.error?.message);
  return body.value;
}

/** Counts the page's API calls in flight (the event stream aside), so a measure can start from rest. */
function trackCalls(page: Page): { idle(): Promise<void> } {
  let inFlight = 0;
  const isCall = (url: string) => url.includes('/api/') && !url.includes('/api/events');
  page.on('request', (r) => {
    if (isCall(r.url())) inFlight++;
  });
  const done = (r: { url(): string }) => {
    if (isCall(r.url())) inFlight--;
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return {
    async idle() {
      while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
    },
  };
}

/**
 * Once the page's previous calls are answered (the template delivery asked after the last report: a
 * person reads the numbers before the next click), clicks, then waits for the next `insights:update`
 * measure and returns it split (SPLIT_IN_PAGE).
 */
async function timedChange(
  page: Page,
  calls: ReturnType<typeof trackCalls>,
  act: () => Promise<void>,
): Promise<Split> {
  await calls.idle();
  // The page keeps 250 resource entries by default; each change reads its own.
  const before = await page.evaluate(() => {
    performance.clearResourceTimings();
    return performance.getEntriesByName('insights:update').length;
  });
  await act();
  await page.waitForFunction((n) => performance.getEntriesByName('insights:update').length > n, before, {
    timeout: 60_000,
  });
  // The rest of the source rows (and the template delivery) arrive after the update.
  await calls.idle();
  return page.evaluate<Split>(SPLIT_IN_PAGE);
}

// ---- handler / transport / UI split ----

/**
 * One change: click → every panel updated, the report call within it, and the handler's part of that call.
 * `wire`: the call's request leaving the page to its last byte in (Resource Timing), so call − wire is the
 * page's own part of the call: the JSON parse and any wait for its busy main thread (the click's render).
 * `rest`: when the rest of the source rows were in (report.sources), from the click; null when not asked.
 */
interface Split {
  update: number;
  call: number;
  handler: number;
  wire: number;
  rest: number | null;
}

/**
 * Runs in the page: the latest update and the report call that fed it (src/renderer/src/lib/perf.ts).
 * Source text, not a function: tsx's helpers (__name) do not exist in the page.
 */
const SPLIT_IN_PAGE = `(() => {
  const last = (name) => performance.getEntriesByName(name).at(-1);
  const call = last('insights:report-call');
  const fetches = performance.getEntriesByType('resource');
  const res = fetches.filter((e) => (e.name.endsWith('/api/report.get') || e.name.endsWith('/api/report.dashboard')) && e.startTime >= call.startTime - 1).at(0);
  const rest = fetches.filter((e) => e.name.endsWith('/api/report.sources') && e.startTime >= call.startTime).at(0);
  return {
    update: last('insights:update').duration,
    call: call.duration,
    handler: call.detail.handlerMs ?? NaN,
    wire: res ? res.responseEnd - res.startTime : NaN,
    rest: rest ? rest.responseEnd - last('insights:change').startTime : null,
  };
})()`;

/** The first render after launch: when the report was asked, its call, the handler's part, the total. */
interface FirstSplit {
  total: number;
  asked: number;
  call: number;
  handler: number;
}

/** Runs in the page, like SPLIT_IN_PAGE: the launch measure and the report call within it. */
const FIRST_IN_PAGE = `(() => {
  const call = performance.getEntriesByName('insights:report-call').at(-1);
  return {
    total: performance.getEntriesByName('insights:first-render')[0].duration,
    asked: call.startTime,
    call: call.duration,
    handler: call.detail.handlerMs ?? NaN,
  };
})()`;

/**
 * Medians of each part over the runs: transport = call − handler, itself split into the wire (request out
 * to last byte in, minus the handler) and the page (parse, and waiting for the main thread); UI = update − call.
 */
function splitLine(name: string, runs: Split[]): string {
  const m = (f: (s: Split) => number) => ms(median(runs.map(f)));
  const rests = runs.map((s) => s.rest).filter((x): x is number => x !== null);
  const rest = rests.length ? `   all rows in at ${ms(median(rests))}` : '';
  return `  ${name.padEnd(36)} ${m((s) => s.update).padStart(8)}   handler ${m((s) => s.handler).padStart(6)}   transport ${m((s) => s.call - s.handler).padStart(6)} (wire ${m((s) => s.wire - s.handler)}, page ${m((s) => s.call - s.wire)})   UI ${m((s) => s.update - s.call).padStart(6)}${rest}`;
}

/**
 * The IPC path without Electron's own channel (no Electron binary here): the main process's entry
 * (handleContractCall, on lane workers like the app's) and the page's JSON.parse, timed in Node. Electron
 * then copies one string into the renderer.
 */
async function ipcSplit(
  dataDir: string,
  workspace: string,
  queries: { method: 'report.get' | 'report.dashboard'; args: object }[],
): Promise<{ handler: number; transport: number }[]> {
  const { CoreHost } = await import('../src/core/host/host');
  const { handleContractCall } = await import('../src/main/ipc-call');
  const { JsonPrefsStore } = await import('../src/core/prefs/prefs-store');
  const { FileSecretStore } = await import('../src/core/secrets/file-secret-store');
  const origin = { kind: 'app' as const };
  const frame = { url: 'app://insights/index.html', parent: null };
  const host = new CoreHost({
    dataDir,
    mode: 'electron',
    version: 'bench',
    secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')),
    prefs: new JsonPrefsStore(path.join(dataDir, 'preferences.json')),
    runner: { kind: 'worker', file: path.join(ROOT, 'out', 'core', 'worker.js') },
  });
  try {
    const out: { handler: number; transport: number }[] = [];
    for (const [i, q] of [...queries, ...queries].entries()) {
      const t0 = performance.now();
      const text = await handleContractCall(host, origin, q.method, frame, workspace, q.args);
      const r = JSON.parse(text) as { ok: boolean; handlerMs: number };
      const total = performance.now() - t0;
      if (!r.ok) throw new Error(text.slice(0, 200));
      if (i >= queries.length) out.push({ handler: r.handlerMs, transport: total - r.handlerMs }); // second round: warm
    }
    return out;
  } finally {
    await host.close();
  }
}

/**
 * The same report calls over HTTP from a Chromium page that Playwright does not drive (pipe-chromium.ts),
 * fetched and parsed as the app's HTTP transport does, from a page of the app's origin (its favicon: no
 * app code runs). Warm: each call's second round counts.
 */
async function harnessFreeSplit(
  chromium: PipeChromium,
  origin: string,
  workspace: string,
  queries: { method: string; args: object }[],
): Promise<{ handler: number; transport: number }[]> {
  const page = await chromium.open(`${origin}/favicon.ico`, origin);
  try {
    const expression = `(async () => {
      const calls = ${JSON.stringify(queries)};
      const out = [];
      for (const round of [0, 1])
        for (const c of calls) {
          const t0 = performance.now();
          const res = await fetch('/api/' + c.method, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer ${TOKEN}' },
            body: JSON.stringify({ workspace: ${JSON.stringify(workspace)}, args: c.args }),
          });
          const r = await res.json();
          if (!r.ok) throw new Error(r.error.message);
          if (round === 1) out.push({ handler: r.handlerMs, transport: performance.now() - t0 - r.handlerMs });
        }
      return JSON.stringify(out);
    })()`;
    return JSON.parse(await page.evaluate<string>(expression, true)) as {
      handler: number;
      transport: number;
    }[];
  } finally {
    await page.close();
  }
}

/**
 * First renders after launch in a Chromium page that Playwright does not drive: each launch a new tab of
 * one profile, read once its first-render measure exists; the first launch (an empty profile) is left out.
 */
async function harnessFreeFirstRenders(chromium: PipeChromium, origin: string): Promise<FirstSplit[]> {
  const out: FirstSplit[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const page = await chromium.open(`${origin}/#token=${TOKEN}`, origin);
    try {
      for (let n = 0; ; n++) {
        const done = await page.evaluate<number>(
          "performance.getEntriesByName('insights:first-render').length",
        );
        if (done > 0) break;
        if (n > 600) throw new Error('no first render');
        await new Promise((r) => setTimeout(r, 100));
      }
      const split = JSON.parse(await page.evaluate<string>(`JSON.stringify(${FIRST_IN_PAGE})`)) as FirstSplit;
      if (i > 0) out.push(split);
      // Its follow-up calls (the rest of the rows, the template delivery) end before the next launch.
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await page.close();
    }
  }
  return out;
}

/** Click → usable dashboard (KPIs of the demo on screen), on a fresh data folder, then after Leave demo. */
async function demoTimes(browser: Browser): Promise<number[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-bench-demo-'));
  const { child, origin } = await serve(dataDir);
  const times: number[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${origin}/#token=${TOKEN}`);
    for (let i = 0; i < Math.min(RUNS, 3); i++) {
      const button = page.getByTestId('explore-demo');
      await button.waitFor({ timeout: 60_000 });
      const t0 = performance.now();
      await button.click();
      await page.getByTestId('demo-banner').waitFor({ timeout: 120_000 });
      await page.waitForFunction(
        () => /\d/.test(document.querySelector('[data-testid="kpi-conversations-value"]')?.textContent ?? ''),
        null,
        { timeout: 120_000 },
      );
      times.push(performance.now() - t0);
      await page.getByRole('button', { name: 'Leave demo' }).click();
    }
    await page.close();
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return times;
}

async function main() {
  for (const f of ['out/cli/index.js', 'out/renderer/index.html'])
    if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run npm run build first`);
  const { dataDir, workspace } = await prepareData();
  const { child, origin } = await serve(dataDir);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const phones = await api<{ id: string }[]>(origin, workspace, 'phones.list', {});
    const phone = phones[0]!.id;
    await api(origin, workspace, 'prefs.set', { workspace, phoneId: phone, range: { preset: '30d' } });
    const url = `${origin}/#token=${TOKEN}`;

    // First render after launch: a fresh page each time (the server and its workers stay warm, as in the
    // app), in one browser profile kept between launches as Electron keeps its own (its page storage
    // remembers the last report's query). The first of them is a first visit: an empty profile.
    const profile = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const first: FirstSplit[] = [];
    let firstVisit: FirstSplit | null = null;
    for (let i = 0; i <= RUNS; i++) {
      const page = await profile.newPage();
      const pageCalls = trackCalls(page);
      await page.goto(url);
      await page.waitForFunction(
        () => performance.getEntriesByName('insights:first-render').length > 0,
        null,
        { timeout: 60_000 },
      );
      const split = await page.evaluate<FirstSplit>(FIRST_IN_PAGE);
      if (i === 0) firstVisit = split;
      else first.push(split);
      // The next launch starts from rest, not beside this page's last calls (its template delivery).
      await pageCalls.idle();
      await page.close();
    }

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const calls = trackCalls(page);
    await page.goto(url);
    await page.waitForFunction(() => performance.getEntriesByName('insights:first-render').length > 0, null, {
      timeout: 60_000,
    });

    const events = await api<{ events: { id: string; label: string }[] }>(origin, workspace, 'events.list', {
      phone,
      range: { preset: '30d' },
    });
    const rangeUi: Split[] = [];
    const presets = ['7d', '30d', '6m', '12m', '14d'] as const;
    for (let i = 0; i < RUNS; i++) {
      const p = presets[i % presets.length]!;
      rangeUi.push(
        await timedChange(page, calls, () =>
          page.getByRole('button', { name: p.toUpperCase(), exact: true }).click(),
        ),
      );
    }
    await timedChange(page, calls, () => page.getByRole('button', { name: '30D', exact: true }).click());

    const eventUi: Split[] = [];
    const picks = events.events.slice(0, 4);
    for (let i = 0; i < RUNS && picks.length > 0; i++) {
      const e = picks[i % picks.length]!;
      eventUi.push(
        await timedChange(page, calls, async () => {
          await page.getByTestId('event-trigger').click();
          await page
            .getByRole('dialog', { name: 'Choose the conversion event' })
            .getByTitle(e.id, { exact: true })
            .first()
            .click();
        }),
      );
    }

    const phoneUi: Split[] = [];
    for (let i = 0; i < RUNS && phones.length > 1; i++) {
      const p = phones[(i + 1) % phones.length]!.id;
      phoneUi.push(
        await timedChange(page, calls, () =>
          page
            .getByTestId('phone-select')
            .selectOption(p)
            .then(() => undefined),
        ),
      );
    }

    // As the dashboard asks (src/renderer/src/state/store.ts): a range change with its events, an event
    // change alone, each with the first source rows.
    const asked = [
      ...presets.map((p) => ({
        method: 'report.dashboard' as const,
        args: {
          phone,
          range: { preset: p },
          eventsPerKind: FIRST_EVENTS_PER_KIND,
          sourcesLimit: FIRST_SOURCE_ROWS,
        },
      })),
      ...picks.map((e) => ({
        method: 'report.get' as const,
        args: { phone, range: { preset: '30d' }, event: e.id, sourcesLimit: FIRST_SOURCE_ROWS },
      })),
    ];
    const ipc = await ipcSplit(dataDir, workspace, asked);
    const pipe = launchPipeChromium();
    let plain: { handler: number; transport: number }[];
    let plainFirst: FirstSplit[];
    try {
      plain = await harnessFreeSplit(pipe, origin, workspace, asked);
      plainFirst = await harnessFreeFirstRenders(pipe, origin);
    } finally {
      await pipe.close();
    }

    const demo = await demoTimes(browser);

    console.log(`\nUI benchmark (${workspace}, ${RUNS} runs each, medians)`);
    console.log(
      `  Explore demo data → usable dashboard   ${ms(median(demo))}   (target ≤ 3000 ms; runs: ${demo.map(ms).join(', ')})`,
    );
    const fm = (f: (x: FirstSplit) => number) => ms(median(first.map(f)));
    console.log(
      `  first dashboard render after launch   ${fm((x) => x.total)}   (target < 1000 ms): page and boot calls until the report is asked ${fm((x) => x.asked)}, handler ${fm((x) => x.handler)}, transport ${fm((x) => x.call - x.handler)}, UI ${fm((x) => x.total - x.asked - x.call)}`,
    );
    const pm = (f: (x: FirstSplit) => number) => ms(median(plainFirst.map(f)));
    console.log(
      `  the same, Chromium unharnessed        ${pm((x) => x.total)}   (target < 1000 ms): until the report is asked ${pm((x) => x.asked)}, handler ${pm((x) => x.handler)}, transport ${pm((x) => x.call - x.handler)}, UI ${pm((x) => x.total - x.asked - x.call)}`,
    );
    if (firstVisit) {
      const v = firstVisit;
      console.log(
        `  first visit (empty browser profile)   ${ms(v.total)}   once: until the report is asked ${ms(v.asked)}, handler ${ms(v.handler)}, transport ${ms(v.call - v.handler)}, UI ${ms(v.total - v.asked - v.call)}`,
      );
    }
    console.log(
      `  change → every panel updated, split:    total   handler (its lane)   transport (≤ 10 ms)   UI (≤ 50 ms)`,
    );
    if (rangeUi.length) console.log(splitLine('range change (HTTP)', rangeUi));
    if (eventUi.length) console.log(splitLine('event change (HTTP)', eventUi));
    if (phoneUi.length) console.log(splitLine('phone change (HTTP)', phoneUi));
    console.log(
      `  ${'report over IPC, without Electron'.padEnd(36)} ${''.padStart(8)}   handler ${ms(median(ipc.map((x) => x.handler))).padStart(6)}   transport ${ms(median(ipc.map((x) => x.transport))).padStart(6)}`,
    );
    console.log(
      `  ${'report over HTTP, Chromium unharnessed'.padEnd(36)} ${''.padStart(8)}   handler ${ms(median(plain.map((x) => x.handler))).padStart(6)}   transport ${ms(median(plain.map((x) => x.transport))).padStart(6)}`,
    );
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
