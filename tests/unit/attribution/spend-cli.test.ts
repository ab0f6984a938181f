import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/cli/index';
import { openDatabase } from '../../../src/core/db/open';
import { workspaceDbPath } from '../../../src/core/workspace/workspaces';
import { tempDir } from '../../helpers/core';
import { feed, seed } from './feed';

// `insights spend import FILE` (docs/metrics.md, "Imported spend"), run in-process against a workspace.

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
  expect(out.join('')).toContain('Imported 2 lines for 1 sources, 2026-03-01 – 2026-03-02: 2 days added');
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
