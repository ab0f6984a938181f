import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/cli/index';
import { openDatabase } from '../../../src/core/db/open';
import { workspaceDbPath } from '../../../src/core/workspace/workspaces';
import { tempDir } from '../../helpers/core';
import { feed, PHONE, seed, t } from './feed';

// `insights spend import FILE` and `insights delivery` (docs/metrics.md, "Imported spend", "Template
// delivery"), run in-process against a workspace.

let dataDir: string;
let out: string[];
let err: string[];
beforeEach(() => {
  dataDir = tempDir('insights-spend-');
  const db = seed(openDatabase(workspaceDbPath(dataDir, 'default')));
  db.prepare("INSERT INTO attr_keywords (keyword, added_at) VALUES ('flyer', 0)").run();
  feed(db, { messages: [{ id: 'a', ts: '2026-03-02 10:00', text: 'flyer', contact: '4911' }] });
  db.close();
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err.push(String(s));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const run = (...args: string[]) =>
  buildProgram()
    .exitOverride()
    .parseAsync(['node', 'insights', '--data-dir', dataDir, ...args]);
const write = (name: string, text: string) => {
  const file = path.join(dataDir, name);
  fs.writeFileSync(file, text);
  return file;
};
const investedOfFlyer = async () => {
  out.length = 0;
  await run(
    'report',
    '--phone',
    '+1 555 000 1111',
    '--from',
    '2026-03-01',
    '--to',
    '2026-03-31',
    '--format',
    'json',
  );
  return JSON.parse(out.join('')).sources.find((s: { id: string }) => s.id === 'kw:flyer');
};

it('imports a file once, reports the same file again as unchanged, and the report shows it as imported', async () => {
  const file = write(
    'google.csv',
    '\uFEFFdate,source_id,amount,currency\r\n2026-03-01,kw:flyer,12.5,EUR\r\n2026-03-02,kw:flyer,7.5,USD\r\n',
  );
  await run('spend', 'import', file);
  expect(out.join('')).toContain('Imported 2 lines for 1 source, 2026-03-01 – 2026-03-02: 2 days added');
  expect(await investedOfFlyer()).toMatchObject({
    invested: 7.5,
    investedOther: { EUR: 12.5 },
    investedFrom: 'imported',
  });
  out.length = 0;
  await run('spend', 'import', file, '--format', 'json');
  expect(JSON.parse(out.join(''))).toMatchObject({ added: 0, replaced: 0, unchanged: 2, errors: [] });
  expect(process.exitCode).toBeUndefined();
});

it('names the bad lines, exits non-zero and imports nothing', async () => {
  const file = write('bad.csv', '2026-03-01,kw:flyer,10,USD\n2026-03-02,kw:flyer,ten,USD\n');
  await run('spend', 'import', file);
  expect(err.join('')).toContain(`${file}:2: "ten" is not an amount`);
  expect(err.join('')).toContain('Nothing was imported');
  expect(process.exitCode).toBe(1);
  expect(await investedOfFlyer()).toMatchObject({ invested: null, investedFrom: null });
});

it('delivery: a template campaign as a table and as JSON; a source that is no template is refused', async () => {
  const db = openDatabase(workspaceDbPath(dataDir, 'default'));
  db.prepare(
    "INSERT INTO outgoing_messages (id, phone_number_id, contact_id, template_name, sent_at, origin) VALUES ('o1', ?, '4933', 'spring_offer', ?, 'send-log')",
  ).run(PHONE, t('2026-03-02 10:00'));
  db.prepare("INSERT INTO statuses (message_id, status, ts) VALUES ('o1', 'read', ?)").run(
    t('2026-03-02 10:05'),
  );
  db.close();
  const scope = ['--phone', PHONE, '--from', '2026-03-01', '--to', '2026-03-31'];
  await run('delivery', ...scope);
  expect(out.join('')).toMatch(/spring_offer\s+1\s+1 \(100\.0%\)\s+1 \(100\.0%\)\s+0\s+0 \(0\.0%\)/);
  out.length = 0;
  await run('delivery', ...scope, '--source', 'tpl:spring_offer', '--format', 'json');
  const r = JSON.parse(out.join(''));
  expect(r.templates[0]).toMatchObject({ sent: 1, delivered: 1, read: 1, failed: 0 });
  expect(r.series).toHaveLength(31);
  await expect(run('delivery', ...scope, '--source', 'kw:flyer')).rejects.toThrow(/template sources/);
});
