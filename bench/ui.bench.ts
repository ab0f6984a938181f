// npm run bench:ui [-- --db /tmp/insights-bench-XXXX/bench.sqlite] [--runs N]
//
// Browser mode end to end: `insights serve` + the system Chromium (playwright-core). Prints medians of
//  - the first dashboard render after launch (navigation start → first report on screen, performance
//    measure `insights:first-render`), target < 1 s;
//  - a range / event / phone change → every panel updated (measure `insights:update`, from the click to
//    the commit after the chart and table effects), next to the report's own time for the same query
//    (report.get over HTTP), target: update ≤ report + 50 ms.
//  - "Explore demo data": the click on a fresh data folder (and again after "Leave demo") → the dashboard
//    showing the demo's numbers, target ≤ 3 s.
// Data: the attribution benchmark's database (`npm run bench:report -- --keep` prints its path) when --db
// is given, else the demo workspace built into a temp folder. Needs the build: npm run build.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

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

/** Clicks, then waits for the next `insights:update` measure and returns its duration. */
async function timedChange(page: Page, act: () => Promise<void>): Promise<number> {
  const before = await page.evaluate(() => performance.getEntriesByName('insights:update').length);
  await act();
  await page.waitForFunction((n) => performance.getEntriesByName('insights:update').length > n, before, {
    timeout: 60_000,
  });
  return page.evaluate(() => {
    const all = performance.getEntriesByName('insights:update');
    return all[all.length - 1]!.duration;
  });
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
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const phones = await api<{ id: string }[]>(origin, workspace, 'phones.list', {});
    const phone = phones[0]!.id;
    await api(origin, workspace, 'prefs.set', { workspace, phoneId: phone, range: { preset: '30d' } });
    const url = `${origin}/#token=${TOKEN}`;

    // First render after launch: a fresh page each time (the server and its workers stay warm, as in the app).
    const first: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(url);
      await page.waitForFunction(
        () => performance.getEntriesByName('insights:first-render').length > 0,
        null,
        { timeout: 60_000 },
      );
      first.push(
        await page.evaluate(() => performance.getEntriesByName('insights:first-render')[0]!.duration),
      );
      await page.close();
    }

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(url);
    await page.waitForFunction(() => performance.getEntriesByName('insights:first-render').length > 0, null, {
      timeout: 60_000,
    });

    const events = await api<{ events: { id: string; label: string }[] }>(origin, workspace, 'events.list', {
      phone,
      range: { preset: '30d' },
    });
    const report = async (q: object) => {
      const t0 = performance.now();
      await api(origin, workspace, 'report.get', q);
      return performance.now() - t0;
    };

    const rangeUi: number[] = [];
    const rangeApi: number[] = [];
    const presets = ['7d', '30d', '6m', '12m', '14d'] as const;
    for (let i = 0; i < RUNS; i++) {
      const p = presets[i % presets.length]!;
      rangeUi.push(
        await timedChange(page, () =>
          page.getByRole('button', { name: p.toUpperCase(), exact: true }).click(),
        ),
      );
      rangeApi.push(await report({ phone, range: { preset: p } }));
    }
    await timedChange(page, () => page.getByRole('button', { name: '30D', exact: true }).click());

    const eventUi: number[] = [];
    const eventApi: number[] = [];
    const picks = events.events.slice(0, 4);
    for (let i = 0; i < RUNS && picks.length > 0; i++) {
      const e = picks[i % picks.length]!;
      eventUi.push(
        await timedChange(page, async () => {
          await page.getByTestId('event-trigger').click();
          await page
            .getByRole('dialog', { name: 'Choose the conversion event' })
            .getByTitle(e.id, { exact: true })
            .first()
            .click();
        }),
      );
      eventApi.push(await report({ phone, range: { preset: '30d' }, event: e.id }));
    }

    const phoneUi: number[] = [];
    const phoneApi: number[] = [];
    for (let i = 0; i < RUNS && phones.length > 1; i++) {
      const p = phones[(i + 1) % phones.length]!.id;
      phoneUi.push(
        await timedChange(page, () =>
          page
            .getByTestId('phone-select')
            .selectOption(p)
            .then(() => undefined),
        ),
      );
      phoneApi.push(await report({ phone: p, range: { preset: '30d' } }));
    }

    const demo = await demoTimes(browser);

    console.log(`\nUI benchmark (${workspace}, ${RUNS} runs each, medians)`);
    console.log(
      `  Explore demo data → usable dashboard   ${ms(median(demo))}   (target ≤ 3000 ms; runs: ${demo.map(ms).join(', ')})`,
    );
    console.log(`  first dashboard render after launch   ${ms(median(first))}   (target < 1000 ms)`);
    const line = (name: string, ui: number[], rep: number[]) => {
      if (ui.length === 0) return;
      const over = median(ui) - median(rep);
      console.log(
        `  ${name.padEnd(36)} ${ms(median(ui))}   report.get ${ms(median(rep))}   UI overhead ${ms(over)} (target ≤ 50 ms)`,
      );
    };
    line('range change → every panel updated', rangeUi, rangeApi);
    line('event change → every panel updated', eventUi, eventApi);
    line('phone change → every panel updated', phoneUi, phoneApi);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
