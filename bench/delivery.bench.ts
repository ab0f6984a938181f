// Template delivery (docs/metrics.md, "Template delivery"): the time of `sources.delivery` over N sends of
// 20 templates spread over a year (each with sent/delivered/read statuses, one in 20 failed), for the
// 30-day and 12-month ranges, every template and one with its series. Medians of 7 runs after 3 warm-ups.
// `npm run bench:delivery -- 200000` (default 200,000 sends).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { templateDelivery } from '../src/core/attribution/report/template-delivery';
import { openDatabase } from '../src/core/db/open';
import { feed, PHONE, seed } from '../tests/unit/attribution/feed';

const N = Number(process.argv[2] ?? 200_000);
const NOW = DateTime.fromISO('2026-03-31T12:00:00', { zone: 'Europe/Berlin' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-bench-delivery-'));
const db = seed(openDatabase(path.join(dir, 'bench.sqlite')));
feed(db, { messages: [{ id: 'm', ts: '2026-03-01 10:00', text: 'hi' }] });
const start = Math.round(NOW.minus({ days: 365 }).toSeconds());
const send = db.prepare(
  "INSERT INTO outgoing_messages (id, phone_number_id, contact_id, template_name, sent_at, origin) VALUES (?, ?, ?, ?, ?, 'send-log')",
);
const status = db.prepare(
  'INSERT INTO statuses (message_id, status, ts, pricing, errors) VALUES (?, ?, ?, ?, ?)',
);
const pricing = JSON.stringify({ pricing_model: 'PMP', type: 'regular', category: 'marketing' });
db.transaction(() => {
  for (let i = 0; i < N; i++) {
    const ts = start + Math.floor((i / N) * 365 * 86_400);
    const id = `o${i}`;
    send.run(id, PHONE, `c${i % 5000}`, `tpl_${i % 20}`, ts);
    if (i % 20 === 0) status.run(id, 'failed', ts, null, JSON.stringify([{ code: 131026, title: 'x' }]));
    else {
      status.run(id, 'sent', ts, pricing, null);
      status.run(id, 'delivered', ts + 5, pricing, null);
      if (i % 3) status.run(id, 'read', ts + 60, null, null);
    }
  }
})();

function median(label: string, f: () => unknown): void {
  for (let i = 0; i < 3; i++) f();
  const t: number[] = [];
  for (let i = 0; i < 7; i++) {
    const a = performance.now();
    f();
    t.push(performance.now() - a);
  }
  t.sort((x, y) => x - y);
  console.log(`${label}: ${t[3]!.toFixed(1)} ms`);
}

console.log(`${N.toLocaleString('en-US')} sends, load average ${os.loadavg()[0]!.toFixed(1)}`);
for (const preset of ['30d', '12m'] as const) {
  const range = { preset };
  median(`${preset} every template`, () => templateDelivery(db, { phone: PHONE, range }, { now: NOW }));
  median(`${preset} one template with its series`, () =>
    templateDelivery(db, { phone: PHONE, range, source: 'tpl:tpl_3' }, { now: NOW }),
  );
}
db.close();
fs.rmSync(dir, { recursive: true, force: true });
