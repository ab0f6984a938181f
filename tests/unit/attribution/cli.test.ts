import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/cli/index';
import { openDatabase } from '../../../src/core/db/open';
import { workspaceDbPath } from '../../../src/core/workspace/workspaces';
import { tempDir } from '../../helpers/core';
import { feed, PHONE2, seed } from './feed';

// The `insights report|events|contacts|sources|keywords|settings` commands, run in-process.

let dataDir: string;
let out: string[];
beforeEach(() => {
  dataDir = tempDir('insights-cli-');
  const db = seed(openDatabase(workspaceDbPath(dataDir, 'default')));
  feed(db, {
    messages: [
      {
        id: 'a',
        ts: '2026-03-02 10:00',
        text: 'x',
        referral: { source_id: '77', headline: 'Spring' },
        contact: '4911',
      },
      { id: 'a2', ts: '2026-03-02 10:01', button: { text: 'Book now' }, contact: '4911' },
      { id: 'b', ts: '2026-03-03 10:00', text: '@home', contact: '4922' },
    ],
  });
  db.close();
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const run = (...args: string[]) =>
  buildProgram()
    .exitOverride()
    .parseAsync(['node', 'insights', '--data-dir', dataDir, ...args]);
const scope = ['--phone', '+1 555 000 1111', '--from', '2026-03-01', '--to', '2026-03-31'];

it('report --format json|csv|table', async () => {
  await run('report', ...scope, '--event', 'button:Book now', '--format', 'json');
  const r = JSON.parse(out.join(''));
  expect(r.totals).toMatchObject({ conversations: 2, leads: 1 });
  expect(r.range).toEqual({ from: '2026-03-01', to: '2026-03-31', timezone: 'Europe/Berlin' });
  out.length = 0;
  await run('report', ...scope, '--format', 'csv', '--funnel', 'button:Book now');
  // The dashboard's table file: rates as fractions, a totals row last.
  const lines = out.join('').trim().split('\r\n');
  expect(lines[0]).toBe(
    'Source,Source id,Kind,Conversations,Leads,Conversion rate,Invested (USD),Invested from,Conversion cost (USD),Revenue (USD),ROAS',
  );
  expect(lines.at(-1)).toBe('Total,,,2,1,0.5,,,,,');
  out.length = 0;
  await run('report', ...scope);
  expect(out.join('')).toMatch(/Conversations 2 · Contacts 2 · Leads 1/);
});

it('--phone all: report, events and contacts over every number (docs/metrics.md "All numbers")', async () => {
  const db = openDatabase(workspaceDbPath(dataDir, 'default'));
  feed(db, {
    messages: [
      {
        id: 'c',
        ts: '2026-03-04 10:00',
        text: 'x',
        referral: { source_id: '77' },
        contact: '4933',
        phone: PHONE2,
      },
    ],
  });
  db.close();
  const all = ['--phone', 'all', '--from', '2026-03-01', '--to', '2026-03-31'];
  await run('report', ...all, '--format', 'json');
  const r = JSON.parse(out.join(''));
  expect(r.phone).toEqual({ id: 'all', display: null, name: 'All numbers' });
  expect(r.totals).toMatchObject({ conversations: 3, contacts: 3 });
  expect(r.sources.find((s: { id: string }) => s.id === 'ad:77')).toMatchObject({ conversations: 2 });
  out.length = 0;
  await run('report', ...all);
  expect(out.join('')).toMatch(/^All numbers · 2026-03-01 – 2026-03-31/);
  const file = path.join(dataDir, 'all.csv');
  await run('contacts', ...all, '--all', '--out', file);
  expect(fs.readFileSync(file, 'utf8').trim().split('\r\n')).toHaveLength(4);
  out.length = 0;
  await run('events', ...all, '--format', 'json');
  expect(JSON.parse(out.join('')).events.map((e: { id: string }) => e.id)).toContain('button:Book now');
  out.length = 0;
  await run('delivery', ...all, '--format', 'json');
  expect(JSON.parse(out.join('')).templates).toEqual([]);
});

it('report rejects a range given twice or not at all', async () => {
  await expect(
    run('report', '--phone', '1000000001', '--range', '7d', '--from', '2026-03-01'),
  ).rejects.toMatchObject({ code: 'invalid_argument' });
  await expect(run('report', '--phone', '1000000001')).rejects.toMatchObject({ code: 'invalid_argument' });
  await expect(run('report', '--phone', '1000000001', '--range', '2w')).rejects.toMatchObject({
    code: 'invalid_argument',
  });
});

it('events, contacts --out, sources rename|invest, keywords, settings', async () => {
  await run('events', ...scope, '--format', 'json');
  expect(JSON.parse(out.join('')).suggested).toBe('button:Book now');
  const file = path.join(dataDir, 'leads.csv');
  await run('contacts', ...scope, '--all', '--out', file);
  const csv = fs.readFileSync(file, 'utf8');
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  expect(csv.trim().split('\r\n')).toHaveLength(3);
  await run('sources', 'rename', 'ad:77', 'Spring video');
  await run(
    'sources',
    'invest',
    'ad:77',
    '12.5',
    '--currency',
    'usd',
    '--from',
    '2026-03-01',
    '--to',
    '2026-03-31',
  );
  await run('keywords', 'add', 'Home');
  out.length = 0;
  await run('keywords', 'list');
  expect(out.join('')).toBe('home\n');
  await run('settings', 'set', 'rollupThreshold', '1');
  out.length = 0;
  await run('settings', 'get', 'rollupThreshold');
  expect(out.join('')).toBe('1\n');
  await expect(run('settings', 'set', 'colour', 'red')).rejects.toMatchObject({ code: 'invalid_argument' });
  out.length = 0;
  await run('report', ...scope, '--format', 'json');
  const r = JSON.parse(out.join(''));
  expect(
    r.sources.map((s: { id: string; name: string; invested: number | null }) => [s.id, s.name, s.invested]),
  ).toEqual([
    ['ad:77', 'Spring video', 12.5],
    ['kw:home', 'home', null],
  ]);
});

it('report --model, and the lookback setting in a marketer’s words', async () => {
  // 4911 comes back on 20 Mar with a plain message: by conversation its own source, by first touch ad 77.
  const db = openDatabase(workspaceDbPath(dataDir, 'default'));
  feed(db, { messages: [{ id: 'c', ts: '2026-03-20 10:00', text: 'again', contact: '4911' }] });
  db.close();
  const sources = async (...args: string[]) => {
    out.length = 0;
    await run('report', ...scope, '--event', 'button:Book now', '--format', 'json', ...args);
    const r = JSON.parse(out.join(''));
    return [
      r.model,
      Object.fromEntries(
        r.sources.map((s: { id: string; conversations: number }) => [s.id, s.conversations]),
      ),
    ];
  };
  expect(await sources()).toEqual(['conversation', { 'ad:77': 1, 'text:*': 2 }]);
  expect(await sources('--model', 'first_touch')).toEqual(['first_touch', { 'ad:77': 2, 'text:*': 1 }]);
  // The contacts of a source in a model are the conversations its row counts there.
  const file = path.join(dataDir, 'ad.csv');
  await run('contacts', ...scope, '--source', 'ad:77', '--all', '--model', 'first_touch', '--out', file);
  expect(fs.readFileSync(file, 'utf8').trim().split('\r\n')).toHaveLength(3);
  await run('contacts', ...scope, '--source', 'ad:77', '--all', '--out', file);
  expect(fs.readFileSync(file, 'utf8').trim().split('\r\n')).toHaveLength(2);
  out.length = 0;
  await run('report', ...scope, '--model', 'last_paid_touch');
  expect(out.join('')).toMatch(/Model: last_paid_touch/);
  await expect(run('settings', 'set', 'attributionLookbackDays', '0')).rejects.toMatchObject({
    code: 'invalid_argument',
    message: expect.stringMatching(/^The lookback is a number of whole days, from 1 to 3650/),
  });
  await run('settings', 'set', 'attributionLookbackDays', '7');
  expect(out.join('')).toMatch(/attributionLookbackDays=7 \(derived data rebuilt\)/);
  expect(await sources('--model', 'first_touch')).toEqual(['first_touch', { 'ad:77': 1, 'text:*': 2 }]);
});
