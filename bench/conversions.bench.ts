// npm run bench:conversions — conversions to Meta (docs/conversions-api.md, "Performance").
//  1. What the outbox costs derivation: the same Click-to-WhatsApp traffic (an ad click with a click id, then
//     a "Book now" reply) ingested through the real path into fresh workspaces, with the engine's log of
//     changed ad conversations and without it (patched out here, nowhere else), in alternating rounds.
//  2. Queue and send BENCH_CONVERSIONS (default 100,000) conversions: plan them from the derived data, then
//     send them to a local fake Conversions API (tests/fakes/fake-capi.ts) in requests of 1,000, sampling RSS.
// Prints figures; asserts nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Summaries } from '../src/core/attribution/engine/summaries';
import { planWindow } from '../src/core/conversions/plan';
import { sendConversions } from '../src/core/conversions/send';
import { saveDataset, setMapping, writeCapiSettings } from '../src/core/conversions/settings';
import { type Db, openDatabase } from '../src/core/db/open';
import { ingestPayloads } from '../src/core/ingest/ingest';
import { GraphClient } from '../src/core/meta/graph-client';
import { startFakeCapi } from '../tests/fakes/fake-capi';
import { testFixture } from '../tests/fakes/meta-fixture';
import { textDelivery } from '../tests/helpers/webhook';

const CONVERSIONS = Number(process.env.BENCH_CONVERSIONS ?? 100_000);
const DERIVE_CONVERSATIONS = Number(process.env.BENCH_DERIVE_CONVERSATIONS ?? 25_000);
const PHONE = '1000000001';
const WABA = '102290129340398';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-bench-capi-'));
const nowS = Math.floor(Date.now() / 1000);
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Conversation i: an ad click with a click id, then a quick reply a minute later, in the last 6 days. */
function deliveries(i: number): unknown[] {
  const ts = nowS - 6 * 86_400 + Math.floor((i * 5 * 86_400) / Math.max(1, CONVERSIONS));
  const base = { phoneNumberId: PHONE, wabaId: WABA, waId: String(4915100000000 + i), body: 'Hello!' };
  return [
    textDelivery({
      ...base,
      id: `wamid.${i}.a`,
      ts,
      referral: { adId: `12022630585${i % 40}`, clid: `ARA${i}` },
    }),
    textDelivery({ ...base, id: `wamid.${i}.b`, ts: ts + 60, button: 'Book now' }),
  ];
}

function ingestAll(db: Db, conversations: number): number {
  const t0 = performance.now();
  const CHUNK = 500;
  for (let i = 0; i < conversations; i += CHUNK) {
    const items = [];
    for (let j = i; j < Math.min(conversations, i + CHUNK); j++)
      for (const body of deliveries(j)) items.push({ body, origin: 'import' as const });
    ingestPayloads(db, items);
  }
  return performance.now() - t0;
}

const fresh = (name: string) => openDatabase(path.join(work, `${name}.sqlite`));

// 1. The log's cost on derivation.
type Proto = { countLead: (...a: unknown[]) => void };
const proto = Summaries.prototype as unknown as Proto;
const withLog = proto.countLead;
const withoutLog = function (
  this: { count: (f: string, d: unknown) => void },
  c: unknown,
  event: unknown,
  leads: unknown,
  occ: unknown,
) {
  this.count('lead', { c, event, leads, occ });
};
const rounds: { log: boolean; ms: number }[] = [];
// Round 0 warms up (JIT, page cache) and is not counted.
for (let r = 0; r < 7; r++) {
  const log = r % 2 === 1;
  proto.countLead = log ? withLog : (withoutLog as Proto['countLead']);
  const db = fresh(`derive-${r}`);
  // The log is kept while sending is on (a workspace that never sends keeps none).
  if (log) writeCapiSettings(db, { enabled: true }, nowS);
  const ms = ingestAll(db, DERIVE_CONVERSATIONS);
  if (r > 0) rounds.push({ log, ms });
  db.close();
}
proto.countLead = withLog;
const perMessage = (log: boolean) => {
  const ms = rounds.filter((r) => r.log === log).map((r) => r.ms);
  return ms.reduce((a, b) => a + b, 0) / ms.length / (DERIVE_CONVERSATIONS * 2);
};
console.log(
  `1. derivation (${fmt(DERIVE_CONVERSATIONS * 2)} messages per round, rounds without/with the log alternating)`,
);
for (const r of rounds) console.log(`   ${r.log ? 'with   ' : 'without'} the log: ${fmt(r.ms)} ms`);
console.log(
  `   per message: ${fmt(perMessage(false), 4)} ms without, ${fmt(perMessage(true), 4)} ms with → ${fmt(perMessage(true) - perMessage(false), 4)} ms added`,
);

// 2. Queue and send.
const db = fresh('send');
const ingestMs = ingestAll(db, CONVERSIONS);
console.log(`2. ${fmt(CONVERSIONS)} ad conversations with a lead ingested in ${fmt(ingestMs / 1000, 1)} s`);
const fixture = testFixture();
const fake = await startFakeCapi({ fixture, wabas: [{ id: WABA, datasetId: '900000000000077' }] });
let peak = process.memoryUsage().rss;
console.log(`   RSS before queueing ${fmt(peak / 1048576)} MB (ingestion included)`);
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 25);
setMapping(db, { eventKey: 'button:Book now', metaEvent: 'LeadSubmitted', withValue: false });
saveDataset(db, WABA, '900000000000077', Date.now());
writeCapiSettings(db, { enabled: true }, nowS);
const q0 = performance.now();
const planned = planWindow(db, nowS);
const queueMs = performance.now() - q0;
console.log(
  `   queued ${fmt(planned.queued)} in ${fmt(queueMs)} ms (${fmt(planned.queued / (queueMs / 1000))} /s)`,
);
const client = new GraphClient({ baseUrl: fake.url, version: 'v25.0', accessToken: fixture.token });
const s0 = performance.now();
const cpu0 = process.cpuUsage();
const r = await sendConversions({ db, client, dryRun: false, testEventCode: null, now: Date.now });
const sendMs = performance.now() - s0;
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
console.log(
  `   sent ${fmt(r.sent)} in ${r.batches} requests in ${fmt(sendMs / 1000, 1)} s: ${fmt(r.sent / (sendMs / 1000))} events/s ` +
    `(this process's CPU ${fmt((cpu.user + cpu.system) / 1000 / 1000, 1)} s, the fake server runs in it too); ` +
    `Meta received ${fmt(fake.ledger.events.length)}, duplicates ${fake.ledger.duplicates().length}`,
);
console.log(`   peak RSS ${fmt(peak / 1048576)} MB`);
await fake.close();
db.close();
fs.rmSync(work, { recursive: true, force: true });
