// npm run bench:ingest — ingestion throughput (docs/ingestion.md, "Performance").
//  1. generates an NDJSON of BENCH_MESSAGES (default 1,000,000) webhook payloads, one message each;
//  2. imports it through `import.files` (the real path: parse, normalise, deflate, dedupe, derive),
//     sampling RSS as it goes (flat = constant memory);
//  3. inserts the same rows with plain prepared statements into fresh databases, each chunk prepared before
//     its timed transaction: the ceiling. Twice: all the rows the import stored (raw payload with its deflated
//     body, message, contact, link, and the derived rows copied from the imported database), and the raw rows
//     alone (what derivation costs on top);
//  4. runs `insights serve` (built, worker lanes) in a child process and measures 32 concurrent clients,
//     with durable acknowledgements (a WAL sync per group commit, what ships) and without, in alternating rounds.
// Prints figures; asserts nothing (timing belongs to benchmarks, not tests). BENCH_ONLY=import or
// BENCH_ONLY=receiver runs one part; wall-clock and CPU-time rates are both printed (shared machines).
// BENCH_DATA=typical generates conversations of several messages instead of the worst case (see below).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import Database, { type Statement } from 'better-sqlite3';
import { Pool } from 'undici';
import { activePrefix, DERIVED_TABLES } from '../src/core/attribution/tables';
import { type Db, openDatabase } from '../src/core/db/open';
import { allHandlers, internalHandlers } from '../src/core/entry/handlers';
import { CoreHost } from '../src/core/host/host';
import { type NormContact, type NormMessage, normalizePayload } from '../src/core/ingest/normalize';
import { JsonPrefsStore } from '../src/core/prefs/prefs-store';
import { FileSecretStore } from '../src/core/secrets/file-secret-store';
import { workspaceDbPath } from '../src/core/workspace/workspaces';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const RECEIVER_DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 20_000);
const CLIENTS = 32;
const root = path.join(import.meta.dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-bench-'));
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
const fmt = (n: number) => Math.round(n).toLocaleString('en');

// BENCH_DATA=worst (default): every message opens a conversation with a unique text, so each one creates a
// conversation, a source and an event. BENCH_DATA=typical: conversations of four messages whose first
// texts and replies repeat, as real traffic does (a few hundred distinct first messages, ads, buttons).
const DATA = process.env.BENCH_DATA === 'typical' ? 'typical' : 'worst';
const FIRST_TEXTS = Array.from({ length: 200 }, (_, n) => `Hi, I have a question about offer ${n}`);
const REPLIES = ['yes', 'How much is it?', 'thanks!', 'ok', 'Where are you located?', 'Can I pay by card?'];

/** One message of the generated traffic: its contact, time and content. */
function messageOf(i: number): { contact: number; ts: number; message: Record<string, unknown> } {
  const kind = i % 10;
  const button = (n: number) => ({
    type: 'interactive',
    interactive: { type: 'button_reply', button_reply: { id: `btn-${n % 7}`, title: `Option ${n % 7}` } },
    context: { from: '15550001111', id: `wamid.out.${n % 1000}` },
  });
  const ad = (n: number) => ({
    type: 'text',
    text: { body: 'Hello! Can I get more info on this?' },
    referral: {
      source_type: 'ad',
      source_id: `1202263058548${n % 40}`,
      source_url: 'https://fb.me/x',
      headline: 'Sale',
      body: 'Now',
      media_type: 'image',
      ctwa_clid: `clid-${n}`,
    },
  });
  if (DATA === 'worst') {
    const message =
      kind === 0
        ? button(i)
        : kind === 1
          ? ad(i)
          : {
              type: 'text',
              text: { body: `Message ${i} about KW-${i % 25} and more words to be realistic` },
            };
    return { contact: i % 50_000, ts: 1_700_000_000 + i * 30, message };
  }
  const conv = Math.floor(i / 4);
  const step = i % 4;
  const first = conv % 10;
  const text = (body: string) => ({ type: 'text', text: { body } });
  const message =
    step > 0
      ? text(REPLIES[(conv + step) % REPLIES.length]!)
      : first === 0
        ? button(conv)
        : first === 1
          ? ad(conv)
          : first === 2
            ? text(`Message ${conv}: something only this contact writes`)
            : text(FIRST_TEXTS[conv % FIRST_TEXTS.length]!);
  return { contact: conv % 50_000, ts: 1_700_000_000 + conv * 120 + step * 20, message };
}

function payload(i: number, phone = '1234567890', idPrefix = 'wamid.bench'): string {
  const { contact: c, ts, message } = messageOf(i);
  const contact = `49151${String(c).padStart(7, '0')}`;
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550001111', phone_number_id: phone },
              contacts: [{ profile: { name: `Contact ${c}` }, wa_id: contact }],
              messages: [
                {
                  from: contact,
                  id: `${idPrefix}.${i}`,
                  timestamp: String(ts),
                  ...message,
                },
              ],
            },
          },
        ],
      },
    ],
  });
}

async function generate(file: string): Promise<void> {
  const out = fs.createWriteStream(file);
  for (let i = 0; i < MESSAGES; i++) {
    if (!out.write(`${payload(i)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

function host(dataDir: string): CoreHost {
  return new CoreHost({
    dataDir,
    mode: 'browser',
    version: 'bench',
    secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')),
    prefs: new JsonPrefsStore(path.join(dataDir, 'preferences.json')),
    runner: { kind: 'inline', handlers: allHandlers, internal: internalHandlers },
  });
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};

// On a shared machine wall-clock rates depend on the neighbours: CPU-time rates are printed too.
async function benchImport(
  file: string,
): Promise<{ rate: number; cpuRate: number; rss: number[]; peak: number }> {
  const dataDir = path.join(work, 'import');
  const h = host(dataDir);
  const rss: number[] = [];
  let nextMark = 0.1;
  h.onEvent((e) => {
    if (e.type === 'job' && (e.job.progress ?? 0) >= nextMark) {
      rss.push(process.memoryUsage().rss);
      nextMark += 0.1;
    }
  });
  const t = performance.now();
  const cpu = process.cpuUsage();
  const r = await h.call('import.files', 'default', { files: [file] });
  const seconds = (performance.now() - t) / 1000;
  const cpuUsed = cpuSeconds(cpu);
  await h.close();
  const messages = r.files[0]!.messages;
  if (messages !== MESSAGES) throw new Error(`imported ${messages} of ${MESSAGES} messages`);
  return {
    rate: messages / seconds,
    cpuRate: messages / cpuUsed,
    rss,
    peak: process.resourceUsage().maxRSS * 1024,
  };
}

/** The derived tables a baseline inserts itself (the block summaries are kept from sum_src by triggers). */
const DERIVED_INSERTED = DERIVED_TABLES.filter((t) => t !== 'sum_src_w' && t !== 'sum_src_m');

/** A derived table of the imported database, read in insertion order (key order without a rowid). */
interface DerivedSource {
  rows: number;
  source: Database.Database;
  read: IterableIterator<unknown[]>;
  insert: Statement;
  taken: number;
}

/**
 * The ceiling: the rows the import stored, inserted with plain prepared statements into a fresh database,
 * 2,000 messages per transaction; each chunk's rows are prepared before its timed transaction.
 * - raw rows (every message's raw payload with its deflated body, message, contact, link), from the same
 *   generated payloads;
 * - with `importedDb`, also the derived rows the import wrote (conversations, sources, events, occurrences,
 *   summaries), copied from it: each chunk takes its share of every table, so both databases grow alike.
 */
function benchBaseline(importedDb?: string): { rate: number; cpuRate: number } {
  const db = openDatabase(path.join(work, `baseline-${importedDb ? 'all' : 'raw'}`, 'insights.sqlite'));
  const raw = db.prepare(
    'INSERT INTO raw_payloads (sha256, received_at, origin, format, channel, body, size) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const msg = db.prepare(
    `INSERT INTO messages (id, phone_number_id, contact_id, direction, ts, type, text, interactive_type, interactive_id,
       interactive_title, context_from, context_id, referral, referral_source_type, referral_source_id, raw_payload_id)
     VALUES (?, ?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const contact = db.prepare('INSERT OR REPLACE INTO contacts (id, name, updated_at) VALUES (?, ?, ?)');
  const link = db.prepare(
    'INSERT OR IGNORE INTO raw_payload_contacts (contact_id, raw_payload_id) VALUES (?, ?)',
  );
  const derived = importedDb ? derivedSources(importedDb, db) : [];
  type RawRow = { text: string; sha: Buffer; body: Buffer; m: NormMessage; c: NormContact };
  const insert = db.transaction((rows: RawRow[], derivedRows: { insert: Statement; rows: unknown[][] }[]) => {
    for (const r of rows) {
      const id = Number(
        raw.run(r.sha, Date.now(), 'import', 'cloud', '1234567890', r.body, r.text.length).lastInsertRowid,
      );
      const m = r.m;
      msg.run(
        m.id,
        m.phoneNumberId,
        m.from,
        m.ts,
        m.type,
        m.text,
        m.interactiveType,
        m.interactiveId,
        m.interactiveTitle,
        m.contextFrom,
        m.contextId,
        m.referral ? JSON.stringify(m.referral) : null,
        m.referralSourceType,
        m.referralSourceId,
        id,
      );
      contact.run(r.c.waId, r.c.name, Date.now());
      link.run(r.c.waId, id);
    }
    for (const d of derivedRows) for (const row of d.rows) d.insert.run(row);
  });
  let ms = 0;
  let cpu = 0;
  for (let k = 0; k < MESSAGES; k += 2000) {
    const end = Math.min(MESSAGES, k + 2000);
    const rows: RawRow[] = [];
    for (let i = k; i < end; i++) {
      const text = payload(i);
      const n = normalizePayload(JSON.parse(text));
      if (!n.ok) throw new Error(n.error);
      rows.push({
        text,
        sha: createHash('sha256').update(text).digest(),
        body: deflateSync(text),
        m: n.value.messages[0]!,
        c: n.value.contacts[0]!,
      });
    }
    const derivedRows = derived.map((d) => {
      const share: unknown[][] = [];
      const upTo = Math.round((d.rows * end) / MESSAGES);
      while (d.taken < upTo) {
        share.push(d.read.next().value as unknown[]);
        d.taken++;
      }
      return { insert: d.insert, rows: share };
    });
    const t = performance.now();
    const c = process.cpuUsage();
    insert(rows, derivedRows);
    ms += performance.now() - t;
    cpu += cpuSeconds(c);
  }
  for (const d of derived) {
    d.read.return?.();
    d.source.close();
  }
  db.close();
  return { rate: MESSAGES / (ms / 1000), cpuRate: MESSAGES / cpu };
}

/** A reader (one connection each: an open iterator holds its connection) and an insert per derived table. */
function derivedSources(importedDb: string, into: Db): DerivedSource[] {
  const p = activePrefix(into);
  return DERIVED_INSERTED.map((name) => {
    const src = new Database(importedDb, { readonly: true });
    const from = `${activePrefix(src)}${name}`;
    const table = `${p}${name}`;
    const cols = (src.pragma(`table_info(${from})`) as { name: string }[]).map((c) => c.name);
    return {
      source: src,
      rows: src.prepare(`SELECT count(*) FROM ${from}`).pluck().get() as number,
      read: src
        .prepare(`SELECT ${cols.join(', ')} FROM ${from}`)
        .raw()
        .iterate() as IterableIterator<unknown[]>,
      insert: into.prepare(
        `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
      ),
      taken: 0,
    };
  });
}

/** 'wal-sync': what ships (a WAL sync after each group commit, before its 200s); 'none': as before. */
type Synchronous = 'wal-sync' | 'none';

async function benchReceiver(
  synchronous: Synchronous,
  run: number,
): Promise<{
  rate: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU seconds the load generator (this process) spent per delivery. */
  clientCpu: number;
}> {
  const dataDir = path.join(work, `receiver-${run}`);
  const h = host(dataDir);
  const { secret } = await h.call('channels.add', 'default', { phoneNumberId: '1234567890' });
  await h.close();
  // The real `insights serve` (built bundle, lane worker threads), as on a collector server; 'none' is
  // the receiver as it was before its commits were made durable (src/core/ingest/wal-sync.ts).
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(root, 'bin/insights.js'),
      '--data-dir',
      dataDir,
      'serve',
      '--port',
      '0',
      '--no-open',
      '--token',
      'bench',
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, INSIGHTS_BENCH_RECEIVER_DURABILITY: synchronous },
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error('receiver exited')));
  });
  // Bodies are built beforehand and sent over keep-alive connections (one per client), so the load
  // generator spends little of the 2 cores it shares with the receiver; every request is still real
  // HTTP, answered after the commit.
  const bodies = Array.from({ length: RECEIVER_DELIVERIES }, (_, i) =>
    Buffer.from(payload(i, '1234567890', 'wamid.recv')),
  );
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  // undici's pool (one connection per client, no pipelining): a leaner client than node:http, so less of
  // the two cores goes to the load generator and more to the receiver under test.
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CLIENTS, pipelining: 1 });
  const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
  const post = async (body: Buffer) => {
    const res = await pool.request({ path: '/webhooks/360dialog/1234567890', method: 'POST', headers, body });
    return { status: res.statusCode, text: await res.body.text() };
  };
  // Warm-up (JIT, connections), not measured.
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => post(Buffer.from(payload(10_000_000 + i)))));
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const s = performance.now();
        const r = await post(body);
        latencies.push(performance.now() - s);
        if (r.status !== 200 && errors++ === 0) console.log(`first non-200: ${r.status} ${r.text}`);
      }
    }),
  );
  const seconds = (performance.now() - t) / 1000;
  const clientCpu = cpuSeconds(cpu0) / bodies.length;
  await pool.close();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  fs.rmSync(dataDir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { rate: bodies.length / seconds, p50: q(0.5), p99: q(0.99), errors, clientCpu };
}

async function runImport(): Promise<void> {
  const file = path.join(work, 'messages.ndjson');
  const t = performance.now();
  await generate(file);
  console.log(
    `generated ${fmt(MESSAGES)} messages (${DATA} case, ${mb(fs.statSync(file).size)}) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const imp = await benchImport(file);
  console.log(`import:   ${fmt(imp.rate)} messages/s (${fmt(imp.cpuRate)} per CPU-second)`);
  console.log(`          RSS at 10%…100%: ${imp.rss.map(mb).join(', ')}; peak RSS ${mb(imp.peak)}`);
  fs.rmSync(file);
  // Two ceilings. "Same rows" is what the import stored: raw and derived rows alike (the figure the target
  // is read against, docs/ingestion.md); the raw rows alone show what derivation costs on top.
  const all = benchBaseline(workspaceDbPath(path.join(work, 'import'), 'default'));
  const raw = benchBaseline();
  const line = (label: string, b: { rate: number; cpuRate: number }) =>
    console.log(
      `${label} ${fmt(b.rate)} messages/s (${fmt(b.cpuRate)} per CPU-second), prepared inserts of ${fmt(MESSAGES)} messages' rows`,
    );
  line('baseline, all rows (raw + derived):', all);
  line('baseline, raw rows only:           ', raw);
  const ratio = (b: { rate: number; cpuRate: number }) =>
    `${(imp.rate / b.rate).toFixed(2)} wall-clock, ${(imp.cpuRate / b.cpuRate).toFixed(2)} CPU time`;
  console.log(`ratio:    ${ratio(all)} against all rows (target ≥ 0.5); ${ratio(raw)} against raw rows only`);
  // Deleted, their dirty pages are dropped instead of being written back while the receiver runs.
  for (const dir of ['import', 'baseline-all', 'baseline-raw'])
    fs.rmSync(path.join(work, dir), { recursive: true });
}

/**
 * The receiver with durable acknowledgements (a WAL sync per group commit, what ships) and as it was
 * before (synchronous=NORMAL, no sync), side by side in one run: alternating rounds (BENCH_RECEIVER_ROUNDS, default 2 each), so a load that changes
 * during the run weighs on both settings alike. The medians are compared.
 */
async function runReceiver(): Promise<void> {
  execFileSync(process.execPath, [path.join(root, 'scripts/build-core.mjs')], { stdio: 'inherit' });
  const rounds = Number(process.env.BENCH_RECEIVER_ROUNDS ?? 2);
  const runs: Record<Synchronous, Awaited<ReturnType<typeof benchReceiver>>[]> = { 'wal-sync': [], none: [] };
  let run = 0;
  for (let r = 0; r < rounds; r++) {
    for (const sync of (r % 2 === 0 ? ['none', 'wal-sync'] : ['wal-sync', 'none']) as Synchronous[]) {
      const recv = await benchReceiver(sync, run++);
      runs[sync].push(recv);
      console.log(
        `receiver, ${sync === 'none' ? 'no sync (before)' : 'WAL sync (durable)'}: ${fmt(recv.rate)} deliveries/s with ${CLIENTS} clients, p50 ack ${recv.p50.toFixed(1)} ms, p99 ack ${recv.p99.toFixed(1)} ms` +
          (recv.errors ? `, ${recv.errors} non-200` : '') +
          `; the clients used ${Math.round(recv.clientCpu * 1e6)} µs of CPU per delivery`,
      );
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const full = median(runs['wal-sync'].map((r) => r.rate));
  const normal = median(runs.none.map((r) => r.rate));
  const p99 = Math.max(...runs['wal-sync'].map((r) => r.p99));
  console.log(
    `receiver: durable ${fmt(full)} vs no sync ${fmt(normal)} deliveries/s (medians of ${rounds}): ` +
      `${(((normal - full) / normal) * 100).toFixed(1)} % slower (target ≤ 10 %); worst p99 ack when durable ${p99.toFixed(1)} ms (target < 100 ms)`,
  );
}

const only = process.env.BENCH_ONLY; // 'import' or 'receiver' runs one part
try {
  if (only !== 'receiver') await runImport();
  if (only !== 'import') await runReceiver();
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
