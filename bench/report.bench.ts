// npm run bench:report [-- --conversations N] [--keep | --reuse DIR] [--runs N] [--warmup N]
// Seeded data straight into the raw tables, bulk derivation, then medians of the report and its parts (12M
// and 30D), the same figures from DuckDB over the same conversation-level rows, the cost of deriving one
// new message, and the database size.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DateTime } from 'luxon';
import { deriveChanges } from '../src/core/attribution/derive';
import { rebuildDerived } from '../src/core/attribution/rebuild';
import { ReportContext } from '../src/core/attribution/report/context';
import { funnelOf } from '../src/core/attribution/report/funnel';
import { investedOfRange } from '../src/core/attribution/report/invested-rows';
import { buildReport } from '../src/core/attribution/report/report';
import { seriesOf } from '../src/core/attribution/report/series';
import { sourceRows } from '../src/core/attribution/report/sources';
import { previousTotals, totalsOf } from '../src/core/attribution/report/totals';
import { activePrefix } from '../src/core/attribution/tables';
import { openDatabase } from '../src/core/db/open';
import { setSetting } from '../src/core/db/settings';
import { FIRST_SOURCE_ROWS } from '../src/renderer/src/state/store';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CONVERSATIONS = arg('conversations', 1_000_000);
const RUNS = arg('runs', 7);
const SCALE = CONVERSATIONS / 1_000_000;
const SOURCES = 2000;
const EXTERNAL = Math.round(200_000 * SCALE);
const TZ = 'Europe/Berlin';
const NOW = DateTime.fromISO('2026-11-25T18:00:00', { zone: TZ });
const YEAR_START = Math.floor(NOW.minus({ months: 12 }).toSeconds());
const SPAN = Math.floor(NOW.toSeconds()) - YEAR_START - 86_400;
const PHONES = ['PN_A', 'PN_B', 'PN_C'];

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(42);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;

// Zipf-like popularity over sources: a few ads dominate, a long tail of first messages.
const weights = Array.from({ length: SOURCES }, (_, i) => 1 / (i + 1) ** 0.9);
const cumulative: number[] = [];
weights.reduce((acc, w, i) => (cumulative[i] = acc + w), 0);
const totalWeight = cumulative.at(-1)!;
function pickSource(): number {
  const x = rnd() * totalWeight;
  let lo = 0;
  let hi = SOURCES - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  // Spread kinds over popularity ranks: every 5th an ad, every 13th a template, every 17th a keyword.
  return lo;
}
const kindOf = (s: number) => (s % 5 === 0 ? 'ad' : s % 13 === 1 ? 'tpl' : s % 17 === 2 ? 'kw' : 'text');
const FOLLOW = ['yes', 'how much is it?', 'thanks', 'ok', 'where are you located?', 'Book now', 'Premium'];
const ACTIONS = ['Purchase', 'Lead', 'Signup', 'Appointment', 'Refund'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
// Medians are of steady state: each part runs WARMUP times first (ours and DuckDB alike), so the JIT and
// both page caches are warm; the first report of a fresh context is printed apart.
const WARMUP = arg('warmup', 5);
function time(fn: () => unknown, runs = RUNS): number {
  for (let i = 0; i < WARMUP; i++) fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}
/**
 * Medians of `ours` and `theirs` over three pairs of blocks, each block warmed up and timed on its own
 * (both sides with hot caches, as a report run alone has them). Three pairs, because a machine that slows
 * down for a while would otherwise slow one side only.
 */
async function pairedTimes(ours: () => unknown, theirs: () => Promise<unknown>): Promise<[number, number]> {
  const a: number[] = [];
  const b: number[] = [];
  for (let pair = 0; pair < 3; pair++) {
    for (let i = -WARMUP; i < RUNS; i++) {
      const t0 = performance.now();
      ours();
      if (i >= 0) a.push(performance.now() - t0);
    }
    for (let i = -WARMUP; i < RUNS; i++) {
      const t0 = performance.now();
      await theirs();
      if (i >= 0) b.push(performance.now() - t0);
    }
  }
  return [median(a), median(b)];
}

const reuse = (() => {
  const i = process.argv.indexOf('--reuse');
  return i > 0 ? process.argv[i + 1] : undefined;
})();
// --reuse DIR: a directory kept by an earlier --keep run (database and DuckDB CSVs); skips generation.
const dir = reuse ?? fs.mkdtempSync(path.join(os.tmpdir(), 'insights-bench-'));
const file = path.join(dir, 'bench.sqlite');
if (reuse && !fs.existsSync(file)) {
  console.error(`--reuse ${reuse}: no bench.sqlite there (keep one with --keep)`);
  process.exit(2);
}
const db = openDatabase(file);
let t0 = performance.now();
if (!reuse) await generate();

/** Seeded raw rows straight into the raw tables, then one bulk derivation. */
async function generate(): Promise<void> {
  setSetting(db, 'timezone', TZ);
  setSetting(db, 'currency', 'USD');
  for (let k = 0; k < SOURCES; k++)
    if (kindOf(k) === 'kw') db.prepare('INSERT INTO attr_keywords VALUES (?, 0)').run(`promo${k}`);

  console.log(`Generating ${CONVERSATIONS.toLocaleString()} conversations into the raw tables (${dir})`);
  t0 = performance.now();
  const insMsg = db.prepare(
    `INSERT INTO messages (id, phone_number_id, contact_id, direction, ts, type, text, button_text, interactive_type, interactive_title, context_id, referral, referral_source_type, referral_source_id)
     VALUES (@id, @phone, @contact, 'in', @ts, @type, @text, @button, @itype, @ititle, @context, @referral, @stype, @sid)`,
  );
  type Optional = 'type' | 'button' | 'itype' | 'ititle' | 'context' | 'referral' | 'stype' | 'sid';
  const none: Record<Optional, string | null> = {
    type: 'text',
    button: null,
    itype: null,
    ititle: null,
    context: null,
    referral: null,
    stype: null,
    sid: null,
  };
  const insert = (
    m: { id: string; phone: string; contact: string; ts: number; text: string } & Partial<
      Record<Optional, string>
    >,
  ) => insMsg.run({ ...none, ...m });
  const insOut = db.prepare(
    "INSERT INTO outgoing_messages (id, phone_number_id, contact_id, template_name, origin) VALUES (?, ?, ?, ?, 'send-log')",
  );
  const insContact = db.prepare('INSERT INTO contacts (id, name, updated_at) VALUES (?, ?, 0)');
  const insExt = db.prepare(
    `INSERT INTO external_events (id, action, contact_id, ts, revenue_amount, revenue_currency, received_at, origin) VALUES (?, ?, ?, ?, ?, ?, 0, 'bench')`,
  );
  for (const [i, p] of PHONES.entries()) {
    db.prepare(
      'INSERT INTO business_numbers (phone_number_id, display_number, display_digits) VALUES (?, ?, ?)',
    ).run(p, `+1 555 000 ${i}`, `1555000${i}`);
  }
  const CONTACTS = Math.round(CONVERSATIONS * 0.7);
  const convStarts: { contact: string; start: number }[] = [];
  let messages = 0;
  const lastStart = new Map<number, number>();
  for (let base = 0; base < CONVERSATIONS; base += 50_000) {
    db.transaction(() => {
      for (let j = base; j < Math.min(CONVERSATIONS, base + 50_000); j++) {
        const ci = j % CONTACTS;
        const contact = `49${String(1_000_000_000 + ci)}`;
        if (j < CONTACTS) insContact.run(contact, `Contact ${ci}`);
        let start = YEAR_START + Math.floor(rnd() * SPAN);
        const prev = lastStart.get(ci);
        if (prev !== undefined && Math.abs(start - prev) < 3 * 86_400)
          start = prev + 3 * 86_400 > YEAR_START + SPAN ? prev - 3 * 86_400 : prev + 3 * 86_400;
        lastStart.set(ci, start);
        const phone = PHONES[ci % 3]!;
        const s = pickSource();
        const kind = kindOf(s);
        const id = `wamid.${j}`;
        const base = { phone, contact, ts: start, id: `${id}.0` };
        if (kind === 'ad') {
          const ad = `${100000 + s}`;
          const referral = JSON.stringify({ source_id: ad, source_type: 'ad', headline: `Ad ${s}` });
          insert({ ...base, text: 'Hi, I saw your ad', referral, stype: 'ad', sid: ad });
        } else if (kind === 'tpl') {
          insOut.run(`out.${j}`, phone, contact, `template_${s}`);
          insert({ ...base, type: 'button', text: 'Interested', button: 'Interested', context: `out.${j}` });
        } else if (kind === 'kw') insert({ ...base, text: `Hello PROMO${s}!` });
        else insert({ ...base, text: `Question number ${s}` });
        const follow = 2 + Math.floor(rnd() * 3);
        for (let k = 1; k <= follow; k++) {
          const text = pick(FOLLOW);
          const next = {
            phone,
            contact,
            id: `${id}.${k}`,
            ts: start + k * (30 + Math.floor(rnd() * 600)),
            text,
          };
          if (text === 'Book now') insert({ ...next, type: 'button', button: text });
          else if (text === 'Premium')
            insert({ ...next, type: 'interactive', itype: 'list_reply', ititle: text });
          else insert(next);
        }
        messages += follow + 1;
        if (j % 5 === 0) convStarts.push({ contact, start });
      }
    })();
  }
  db.transaction(() => {
    for (let i = 0; i < EXTERNAL; i++) {
      const unknown = rnd() < 0.05;
      const c = unknown
        ? { contact: `99${i}`, start: YEAR_START + Math.floor(rnd() * SPAN) }
        : pick(convStarts);
      const action = pick(ACTIONS);
      const revenue = action === 'Purchase' ? Math.round(rnd() * 20000) / 100 : null;
      insExt.run(
        `ext.${i}`,
        action,
        c.contact,
        c.start + Math.floor(rnd() * 10 * 86_400),
        revenue,
        revenue === null ? null : rnd() < 0.9 ? 'USD' : 'EUR',
      );
    }
    db.prepare(
      "INSERT INTO meta_accounts (id, account_id, name, currency, selected) VALUES ('act_1', '1', 'Bench', 'USD', 1)",
    ).run();
    for (const p of PHONES) db.prepare("INSERT INTO meta_account_numbers VALUES ('act_1', ?)").run(p);
    const insAd = db.prepare(
      "INSERT INTO meta_ads (ad_id, account_id, name, adset_name, campaign_name) VALUES (?, 'act_1', ?, ?, ?)",
    );
    const insSpend = db.prepare(
      "INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, impressions, clicks, messaging_started, synced_at) VALUES ('act_1', ?, ?, ?, 'USD', ?, ?, ?, 0)",
    );
    const dates = Array.from({ length: 365 }, (_, d) => NOW.minus({ days: d }).toISODate()!);
    for (let s = 0; s < SOURCES; s += 5) {
      insAd.run(`${100000 + s}`, `Ad ${s}`, `Ad set ${s % 40}`, `Campaign ${s % 8}`);
      for (const date of dates) {
        insSpend.run(`${100000 + s}`, date, Math.round(rnd() * 5000) / 100, 1000, 20, 5);
      }
    }
  })();
  console.log(
    `  ${messages.toLocaleString()} messages, ${EXTERNAL.toLocaleString()} external events in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  t0 = performance.now();
  let lastLog = 0;
  await rebuildDerived(db, {
    chunk: 5000,
    progress: (f, d) => {
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        console.log(`  … ${Math.round((f ?? 0) * 100)}% ${d ?? ''}`);
      }
    },
  });
  console.log(`Derived conversations in bulk in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const p = activePrefix(db);
db.pragma('wal_checkpoint(TRUNCATE)');
db.exec('ANALYZE');

// ---- DuckDB over the same conversation-level rows ----
const duck = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
const csv = (name: string, sql: string) => {
  const f = path.join(dir, `${name}.csv`);
  const out = fs.createWriteStream(f);
  const rows = db.prepare(sql).raw().iterate() as IterableIterator<unknown[]>;
  let buf = '';
  for (const r of rows) {
    buf += `${r.map((v) => (v === null ? '' : String(v))).join(',')}\n`;
    if (buf.length > 1 << 20) {
      out.write(buf);
      buf = '';
    }
  }
  out.end(buf);
  return new Promise<string>((resolve) => out.on('finish', () => resolve(f)));
};
t0 = performance.now();
const convCsv = await csv('conv', `SELECT id, phone, contact, source, day, start_ts FROM ${p}conversations`);
const ceCsv = await csv('ce', `SELECT conv, event, first_delay FROM ${p}conv_events`);
const revCsv = await csv(
  'rev',
  `SELECT conv, event, currency, SUM(amount) FROM ${p}occurrences WHERE amount IS NOT NULL GROUP BY conv, event, currency`,
);
await duck.run(
  `CREATE TABLE conv AS SELECT * FROM read_csv('${convCsv}', header=false, columns={'id':'BIGINT','phone':'VARCHAR','contact':'VARCHAR','source':'BIGINT','day':'INTEGER','start_ts':'BIGINT'})`,
);
await duck.run(
  `CREATE TABLE ce AS SELECT * FROM read_csv('${ceCsv}', header=false, columns={'conv':'BIGINT','event':'BIGINT','first_delay':'BIGINT'})`,
);
await duck.run(
  `CREATE TABLE rev AS SELECT * FROM read_csv('${revCsv}', header=false, columns={'conv':'BIGINT','event':'BIGINT','currency':'VARCHAR','amount':'BIGINT'})`,
);
console.log(`Loaded DuckDB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const phone = 'PN_A';
interface Row {
  label: string;
  ours: Record<string, number>;
  duck: Record<string, number>;
}
const results: Row[] = [];
for (const preset of ['12m', '30d'] as const) {
  const ctx = new ReportContext(db, phone, { preset }, TZ, { now: NOW });
  const event = ctx.selectEvent(undefined);
  const ev = event ? ctx.eventId(event.id) : -1;
  const q = { phone, range: { preset }, event: event?.id };
  // A fresh context per run: nothing computed for one part is reused by the next run.
  const fresh = () => new ReportContext(db, phone, { preset }, TZ, { now: NOW });
  const cold = performance.now();
  buildReport(db, q, { now: NOW });
  const first = performance.now() - cold;
  // The parts DuckDB computes too, timed in pairs of blocks with DuckDB's (pairedTimes).
  const paired: Record<string, () => unknown> = {
    // Totals of a range shown alone: with the Invested of its source rows, computed without the rows.
    totals: () => {
      const c = fresh();
      return totalsOf(c, event, investedOfRange(c));
    },
    previous: () => previousTotals(fresh(), event),
    // The source rows as the dashboard asks them: every source counted and its Invested found, the first
    // rows built (sources.ts); "every row" below builds them all.
    sources: () => sourceRows(fresh(), event, undefined, FIRST_SOURCE_ROWS),
    funnel: () => funnelOf(fresh(), event ? [event.id] : [], 0),
    series: () => seriesOf(fresh(), event),
  };
  const ours: Record<string, number> = {
    first,
    total: time(() => buildReport(db, q, { now: NOW })),
    // What DuckDB's sources query computes: counts per source.
    counts: time(() =>
      fresh()
        .aggregator()
        .sources(ev === -1 ? null : ev),
    ),
    unattributed: time(() => fresh().unattributed(event)),
    every: time(() => sourceRows(fresh(), event)),
  };
  const r = ctx.range;
  const prevFrom = r.fromDay - r.days;
  const prevTo = r.fromDay - 1;
  const totalsSql = (a: number, b: number) => `
    SELECT COUNT(*), COUNT(DISTINCT c.contact), COUNT(ce.conv), SUM(rv.amount)
    FROM conv c LEFT JOIN ce ON ce.conv = c.id AND ce.event = ${ev}
    LEFT JOIN (SELECT conv, SUM(amount) AS amount FROM rev WHERE event = ${ev} AND currency = 'USD' GROUP BY conv) rv ON rv.conv = c.id
    WHERE c.phone = '${phone}' AND c.day BETWEEN ${a} AND ${b}`;
  const parts: Record<string, string> = {
    totals: totalsSql(r.fromDay, r.toDay),
    previous: totalsSql(prevFrom, prevTo),
    sources: `
      SELECT c.source, COUNT(*), COUNT(DISTINCT c.contact), COUNT(ce.conv), SUM(rv.amount)
      FROM conv c LEFT JOIN ce ON ce.conv = c.id AND ce.event = ${ev}
      LEFT JOIN (SELECT conv, SUM(amount) AS amount FROM rev WHERE event = ${ev} GROUP BY conv) rv ON rv.conv = c.id
      WHERE c.phone = '${phone}' AND c.day BETWEEN ${r.fromDay} AND ${r.toDay} GROUP BY c.source`,
    funnel: `
      SELECT COUNT(*), MEDIAN(ce.first_delay) FROM conv c JOIN ce ON ce.conv = c.id AND ce.event = ${ev}
      WHERE c.phone = '${phone}' AND c.day BETWEEN ${r.fromDay} AND ${r.toDay} AND ce.first_delay IS NOT NULL`,
    series: `
      SELECT c.day, COUNT(*), COUNT(ce.conv) FROM conv c LEFT JOIN ce ON ce.conv = c.id AND ce.event = ${ev}
      WHERE c.phone = '${phone}' AND c.day BETWEEN ${r.fromDay} AND ${r.toDay} GROUP BY c.day`,
  };
  const duckTimes: Record<string, number> = {};
  for (const [k, sql] of Object.entries(parts)) {
    const [a, b] = await pairedTimes(paired[k]!, () => duck.runAndReadAll(sql));
    ours[k] = a;
    duckTimes[k] = b;
  }
  duckTimes.total = Object.values(duckTimes).reduce((a, b) => a + b, 0);
  results.push({ label: `${preset.toUpperCase()} (event ${event?.id ?? 'none'})`, ours, duck: duckTimes });
}

// ---- All numbers (docs/metrics.md "All numbers"): the three numbers in one report ----
const allResults: { label: string; ours: Record<string, number> }[] = [];
for (const preset of ['12m', '30d'] as const) {
  const fresh = () => new ReportContext(db, 'all', { preset }, TZ, { now: NOW });
  const event = fresh().selectEvent(undefined);
  const q = { phone: 'all', range: { preset }, event: event?.id };
  const cold = performance.now();
  buildReport(db, q, { now: NOW });
  const first = performance.now() - cold;
  allResults.push({
    label: `${preset.toUpperCase()} All numbers (event ${event?.id ?? 'none'})`,
    ours: {
      first,
      total: time(() => buildReport(db, q, { now: NOW })),
      totals: time(() => {
        const c = fresh();
        return totalsOf(c, event, investedOfRange(c));
      }),
      previous: time(() => previousTotals(fresh(), event)),
      sources: time(() => sourceRows(fresh(), event)),
      funnel: time(() => funnelOf(fresh(), event ? [event.id] : [], 0)),
      series: time(() => seriesOf(fresh(), event)),
      // Totals without an event: the numbers' counts, plus the contacts of several numbers read by contact.
      contacts: time(() => fresh().aggregator().totals(null)),
    },
  });
}

// ---- attribution models (docs/metrics.md "Attribution models"): each model's report against the conversation model's ----
// Rounds alternate the models (each round times each once, in a rotating order), so a machine busy with
// other work slows every model alike and the ratios stay meaningful.
const MODELS = ['conversation', 'first_touch', 'last_paid_touch'] as const;
const modelTimes: {
  preset: string;
  model: string;
  total: number;
  sources: number;
  counts: number;
  moved: number;
}[] = [];
for (const preset of ['12m', '30d'] as const) {
  const event = new ReportContext(db, phone, { preset }, TZ, { now: NOW }).selectEvent(undefined);
  const query = (model: (typeof MODELS)[number]) => ({ phone, range: { preset }, event: event?.id, model });
  const own = new Map(
    buildReport(db, query('conversation'), { now: NOW }).sources.map((s) => [s.id, s.conversations]),
  );
  const ev = event ? new ReportContext(db, phone, { preset }, TZ, { now: NOW }).eventId(event.id) : null;
  const samples = new Map(
    MODELS.map((m) => [m, { total: [] as number[], sources: [] as number[], counts: [] as number[] }]),
  );
  // Three times the runs: the ratios are what is asked for, and single medians move with the load.
  for (let round = -WARMUP; round < 3 * RUNS; round++)
    for (let k = 0; k < MODELS.length; k++) {
      const model = MODELS[(k + Math.max(round, 0)) % MODELS.length]!;
      const t1 = performance.now();
      buildReport(db, query(model), { now: NOW });
      const t2 = performance.now();
      sourceRows(new ReportContext(db, phone, { preset }, TZ, { now: NOW, model }), event);
      const t3 = performance.now();
      new ReportContext(db, phone, { preset }, TZ, { now: NOW, model }).aggregator().sources(ev);
      const t4 = performance.now();
      if (round >= 0) {
        samples.get(model)!.total.push(t2 - t1);
        samples.get(model)!.sources.push(t3 - t2);
        samples.get(model)!.counts.push(t4 - t3);
      }
    }
  for (const model of MODELS) {
    const r = buildReport(db, query(model), { now: NOW });
    // Conversations counted under another row than in the conversation model (a sign the model works).
    const moved = r.sources.reduce((a, x) => a + Math.max(0, x.conversations - (own.get(x.id) ?? 0)), 0);
    const s = samples.get(model)!;
    modelTimes.push({
      preset,
      model,
      total: median(s.total),
      sources: median(s.sources),
      counts: median(s.counts),
      moved,
    });
  }
}

// ---- deriving one new message ----
const deriveTimes: number[] = [];
// The latest conversation of 2,000 threads, so "in order" really appends to its thread.
const threads = db
  .prepare(
    `SELECT c.phone, c.contact, c.last_ts FROM ${p}conversations c
     WHERE c.start_ts = (SELECT MAX(start_ts) FROM ${p}conversations WHERE phone = c.phone AND contact = c.contact)
     ORDER BY c.id DESC LIMIT 2000`,
  )
  .all() as {
  phone: string;
  contact: string;
  last_ts: number;
}[];
const insLive = db.prepare(
  "INSERT INTO messages (id, phone_number_id, contact_id, direction, ts, type, text) VALUES (?, ?, ?, 'in', ?, 'text', ?)",
);
threads.forEach((th, i) => {
  const id = `live.${Date.now()}.${i}`;
  // Half extend a conversation, half start one (a day later); a tenth arrive out of order.
  const ts = i % 10 === 0 ? th.last_ts - 5 : i % 2 ? th.last_ts + 60 : th.last_ts + 2 * 86_400;
  const t1 = performance.now();
  db.transaction(() => {
    insLive.run(id, th.phone, th.contact, ts, i % 3 ? 'yes' : 'thanks');
    deriveChanges(db, { messageIds: [id], externalEventIds: [], outgoingIds: [] });
  })();
  deriveTimes.push(performance.now() - t1);
});
const inOrder = deriveTimes.filter((_, i) => i % 10 !== 0);
const outOfOrder = deriveTimes.filter((_, i) => i % 10 === 0);
db.pragma('wal_checkpoint(TRUNCATE)');
const size = fs.statSync(file).size;
const count = (table: string) =>
  (db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number).toLocaleString();

const f = (x: number) => x.toFixed(1).padStart(8);
console.log(
  '\nReport timings (median of %d runs after %d warm-up runs, ms; the parts DuckDB computes too: three blocks per side, in turn) — ours | DuckDB | ours ÷ DuckDB',
  RUNS,
  WARMUP,
);
for (const r of results) {
  console.log(`\n${r.label}`);
  for (const k of ['total', 'totals', 'previous', 'sources', 'funnel', 'series']) {
    console.log(
      `  ${k.padEnd(12)} ${f(r.ours[k]!)} | ${f(r.duck[k]!)} | ${(r.ours[k]! / r.duck[k]!).toFixed(2)}`,
    );
  }
  console.log(
    `  ${'  every row'.padEnd(12)} ${f(r.ours.every!)} | ${f(r.duck.sources!)} | ${(r.ours.every! / r.duck.sources!).toFixed(2)} (every source row built, as report.sources, the CLI and exports ask)`,
  );
  console.log(
    `  ${'  counts only'.padEnd(12)} ${f(r.ours.counts!)} | ${f(r.duck.sources!)} | ${(r.ours.counts! / r.duck.sources!).toFixed(2)} (source rows' counts only: no names, Invested, Meta figures or rollup)`,
  );
  console.log(`  ${'unattributed'.padEnd(12)} ${f(r.ours.unattributed!)} | (not part of the DuckDB report)`);
  console.log(
    `  ${'first report'.padEnd(12)} ${f(r.ours.first!)} | (the first of this range, before any warm-up)`,
  );
}
for (const r of allResults) {
  console.log(`\n${r.label} (ms; the per-number figures above are of PN_A, one of the three)`);
  for (const k of ['total', 'totals', 'previous', 'sources', 'funnel', 'series', 'contacts', 'first'])
    console.log(`  ${k.padEnd(12)} ${f(r.ours[k]!)}`);
}
console.log(
  '\nAttribution models (median ms; ÷ conversation = against the conversation model, target ≤ 1.3)',
);
for (const m of modelTimes) {
  const base = modelTimes.find((x) => x.preset === m.preset && x.model === 'conversation')!;
  console.log(
    `  ${m.preset.toUpperCase().padEnd(4)} ${m.model.padEnd(16)} full report ${f(m.total)} (÷ conversation ${(m.total / base.total).toFixed(2)})` +
      ` · sources ${f(m.sources)} (${(m.sources / base.sources).toFixed(2)})` +
      ` · counts only ${f(m.counts)} (${(m.counts / base.counts).toFixed(2)}) · conversations moved to another row ${m.moved.toLocaleString()}`,
  );
}
console.log(
  `\nDeriving one new message (own transaction): median ${median(deriveTimes).toFixed(3)} ms; in order ${median(inOrder).toFixed(3)} ms; out of order (thread re-derived) ${median(outOfOrder).toFixed(3)} ms`,
);
console.log(
  `Database size: ${(size / 1024 / 1024).toFixed(0)} MB (${count(`${p}conversations`)} conversations, ${count('messages')} messages)`,
);
db.close();
if (process.argv.includes('--keep') || reuse) console.log(`Kept ${file}`);
else fs.rmSync(dir, { recursive: true, force: true });
