// Peak RSS of importing one very long line: a file whose middle line is a webhook
// payload of 50 MB and one of 100 MB, each between two ordinary lines, imported by a fresh process
// through `import.files`; then one small, older message for the same contact (it makes derivation read
// the contact's whole thread again). Also a 4.9 MB line, just under the limit, which is stored.
// Run: `npx tsx bench/huge-line.bench.ts`. Target: peak RSS < 300 MB whatever the line length.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const NOW = Math.floor(Date.now() / 1000);

function delivery(id: string, ts: number, body: string): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'W',
        changes: [
          {
            field: 'messages',
            value: {
              metadata: { display_phone_number: '15550001111', phone_number_id: '1234567890' },
              contacts: [{ profile: { name: 'K' }, wa_id: '4915100000001' }],
              messages: [{ from: '4915100000001', id, timestamp: String(ts), type: 'text', text: { body } }],
            },
          },
        ],
      },
    ],
  });
}

if (process.argv[2] === '--child') {
  // The measured process: one import, then one small older message, as `insights import` would.
  const [file, dataDir] = process.argv.slice(3) as [string, string];
  const { createCliHost } = await import('../src/cli/runtime');
  const host = createCliHost(dataDir);
  const t0 = performance.now();
  const r = await host.call('import.files', 'default', { files: [file] });
  const importMs = performance.now() - t0;
  const older = `${dataDir}/older.ndjson`;
  fs.writeFileSync(older, delivery('wamid.older', NOW - 7200, 'small and older'));
  const t1 = performance.now();
  await host.call('import.files', 'default', { files: [older] });
  const olderMs = performance.now() - t1;
  await host.close();
  process.stdout.write(
    JSON.stringify({
      messages: r.files[0]?.messages,
      errors: r.errors.map((e) => `${e.line}: ${e.reason.slice(0, 60)}`),
      importMs: Math.round(importMs),
      olderMs: Math.round(olderMs),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
} else {
  for (const mb of [50, 100, 4.9]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-huge-line-'));
    const file = path.join(dir, 'huge.ndjson');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, `${delivery('wamid.before', NOW - 3600, 'before')}\n`);
    fs.writeSync(fd, `${delivery('wamid.huge', NOW - 1800, 'x'.repeat(Math.floor(mb * 1024 * 1024)))}\n`);
    fs.writeSync(fd, `${delivery('wamid.after', NOW - 600, 'after')}\n`);
    fs.closeSync(fd);
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', here, '--child', file, path.join(dir, 'data')],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      },
    );
    if (child.status !== 0) throw new Error(child.stderr);
    console.log(`${mb} MB line: ${child.stdout}`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
