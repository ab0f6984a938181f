// npm run bench:overview — the agency overview (docs/metrics.md "Agency overview", issue 17 §3).
// Target: opening the overview takes no longer than the slowest workspace's report plus 50 ms.
// Generates BENCH_WORKSPACES (default 8) workspaces of different sizes (two numbers each, ads with
// manual Invested, keywords, purchases with revenue over 14 months), then prints medians of:
//   - each workspace's overview row alone (its numbers' totals, on one warm connection) and the
//     dashboard's report.get of its largest number;
//   - overview.get through a CoreHost on worker threads, as the app runs it: the first (cold: threads
//     start and open every database) and warm calls, 30D and 12M.
//   - the same rows one after another on one worker thread (what the pool saves).
// Prints figures; asserts nothing. The load average is printed too: on a busy machine the threads do not
// get a core each.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { workspaceOverview } from '../src/core/app/overview';
import { buildReport } from '../src/core/attribution/report/report';
import { openDatabase } from '../src/core/db/open';
import { CoreHost, OVERVIEW_POOL } from '../src/core/host/host';
import { JsonPrefsStore } from '../src/core/prefs/prefs-store';
import { FileSecretStore } from '../src/core/secrets/file-secret-store';
import { workspaceDbPath } from '../src/core/workspace/workspaces';
import type { RangePreset } from '../src/shared/contract/report';
import { tsWorkerRunner } from '../tests/helpers/core';
import { feed, type Msg, PHONE, PHONE2, seed } from '../tests/unit/attribution/feed';

const WORKSPACES = Number(process.env.BENCH_WORKSPACES ?? 8);
const LARGEST = Number(process.env.BENCH_CONVERSATIONS ?? 60_000);
const RUNS = 7;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-bench-overview-'));
const nowS = Math.floor(Date.now() / 1000);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (v: number) => `${v.toFixed(1)} ms`;

/** Workspace i: from LARGEST conversations down to an eighth of it, over the last 14 months. */
function build(i: number): { name: string; conversations: number } {
  const name = `client-${String(i + 1).padStart(2, '0')}`;
  const conversations = Math.round(LARGEST / (1 + (i * 7) / Math.max(1, WORKSPACES - 1)));
  fs.mkdirSync(path.dirname(workspaceDbPath(work, name)), { recursive: true });
  const db = seed(openDatabase(workspaceDbPath(work, name)), { currency: i % 3 === 2 ? 'EUR' : 'USD' });
  db.prepare("INSERT INTO attr_keywords (keyword, added_at) VALUES ('promo', 0), ('menu', 0)").run();
  const span = 14 * 30 * 86_400;
  const chunk = 5_000;
  for (let from = 0; from < conversations; from += chunk) {
    const messages: Msg[] = [];
    const events: Parameters<typeof feed>[1]['events'] = [];
    for (let c = from; c < Math.min(conversations, from + chunk); c++) {
      const ts = nowS - span + Math.floor((c * span) / conversations);
      const contact = `${name}-c${c % Math.ceil(conversations * 0.8)}`;
      const kind = c % 5;
      messages.push({
        id: `${name}-m${c}`,
        ts,
        contact,
        phone: c % 3 === 0 ? PHONE2 : PHONE,
        text: kind === 1 ? 'promo please' : kind === 2 ? 'menu' : `hello ${c % 40}`,
        ...(kind === 0 ? { referral: { source_id: String(100 + (c % 60)) } } : {}),
      });
      if (c % 4 === 0)
        events.push({
          id: `${name}-e${c}`,
          action: 'Purchase',
          ts: ts + 600,
          contact,
          amount: 20 + (c % 50),
        });
    }
    feed(db, { messages, events });
  }
  const entry = db.prepare(
    'INSERT INTO attr_investments (source_key, amount, currency, from_date, to_date, saved_at) VALUES (?, ?, ?, ?, ?, 0)',
  );
  const today = new Date(nowS * 1000).toISOString().slice(0, 10);
  const yearAgo = new Date((nowS - 420 * 86_400) * 1000).toISOString().slice(0, 10);
  for (let ad = 0; ad < 60; ad++) entry.run(`ad:${100 + ad}`, 1000 + ad * 10, 'USD', yearAgo, today);
  db.close();
  return { name, conversations };
}

async function main(): Promise<void> {
  const started = performance.now();
  const list = Array.from({ length: WORKSPACES }, (_, i) => build(i));
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `${WORKSPACES} workspaces, ${list.map((w) => w.conversations).join(', ')} conversations; generated in ${((performance.now() - started) / 1000).toFixed(1)} s; pool of ${OVERVIEW_POOL} threads on ${os.availableParallelism()} cores`,
  );
  const presets: RangePreset[] = ['30d', '12m'];
  const alone = new Map<RangePreset, { row: number; report: number }[]>();
  for (const preset of presets) {
    const figures: { row: number; report: number }[] = [];
    for (const w of list) {
      const db = openDatabase(workspaceDbPath(work, w.name));
      const time = (f: () => unknown) => {
        for (let i = 0; i < 3; i++) f();
        const xs: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const t0 = performance.now();
          f();
          xs.push(performance.now() - t0);
        }
        return median(xs);
      };
      figures.push({
        row: time(() => workspaceOverview(db, { range: { preset } })),
        report: time(() => buildReport(db, { phone: PHONE, range: { preset } })),
      });
      db.close();
    }
    alone.set(preset, figures);
  }
  const host = new CoreHost({
    dataDir: work,
    mode: 'browser',
    version: 'bench',
    secrets: new FileSecretStore(path.join(work, 'secrets.json')),
    prefs: new JsonPrefsStore(path.join(work, 'prefs.json')),
    runner: process.env.BENCH_WORKER_FILE
      ? { kind: 'worker', file: process.env.BENCH_WORKER_FILE }
      : tsWorkerRunner(),
  });
  try {
    // As the app starts: it lists the workspaces, which starts the overview's threads in the background
    // (host.ts, warmOverviewPool); the first overview a moment later.
    const t0 = performance.now();
    await host.call('workspaces.list', undefined, {});
    const listed = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 1500));
    const t1 = performance.now();
    await host.call('overview.get', undefined, { range: { preset: '30d' } });
    console.log(
      `\nfirst overview 1.5 s after the workspace list (30D): ${ms(performance.now() - t1)} (the list itself, which starts the threads: ${ms(listed)})`,
    );
    for (const preset of presets) {
      const call = async () => {
        const t0 = performance.now();
        await host.call('overview.get', undefined, { range: { preset } });
        return performance.now() - t0;
      };
      const cold = await call(); // the first of this range (threads and connections already there)
      // The same rows one after another on one pool thread: what the pool saves over reading them in a row.
      const inRowOnce = async () => {
        const t0 = performance.now();
        for (const w of list)
          await host.internal('overview.workspace', w.name, { range: { preset } }, 'pool-0');
        return performance.now() - t0;
      };
      for (let i = 0; i < 3; i++) {
        await call();
        await inRowOnce();
      }
      // Alternating rounds, so both see the same load of a shared machine.
      const warm: number[] = [];
      const inRow: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        warm.push(await call());
        inRow.push(await inRowOnce());
      }
      const figures = alone.get(preset)!;
      const slowestRow = Math.max(...figures.map((f) => f.row));
      const slowestReport = Math.max(...figures.map((f) => f.report));
      const sum = figures.reduce((n, f) => n + f.row, 0);
      console.log(
        `\n${preset.toUpperCase()}: each workspace alone (row / report.get of its first number): ${figures
          .map((f) => `${f.row.toFixed(1)}/${f.report.toFixed(1)}`)
          .join(', ')} ms`,
      );
      console.log(
        `  slowest workspace alone ${ms(slowestRow)} (its largest report ${ms(slowestReport)}), all in a row ${ms(sum)}`,
      );
      console.log(
        `  overview.get: warm median ${ms(median(warm))} = slowest + ${ms(median(warm) - slowestRow)} (target: + 50 ms); first call of the range ${ms(cold)}`,
      );
      console.log(`  the same rows one after another on one worker thread: median ${ms(median(inRow))}`);
    }
  } finally {
    await host.close();
    if (!process.argv.includes('--keep')) fs.rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
}

void main();
