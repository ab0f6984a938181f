import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, expect, it, vi } from 'vitest';
import { openDatabase } from '../../../src/core/db/open';
import { workspaceDbPath } from '../../../src/core/workspace/workspaces';
import { makeTestCore, tempDir } from '../../helpers/core';
import { textDelivery } from '../../helpers/webhook';

// `insights serve` gets SIGTERM while an import runs on its job worker: it must exit within 5 s
// (exitOnSignals' deadline is 4.5 s), answer the waiting request, and leave a database that is
// consistent and from which the same import simply runs again.

const root = path.join(__dirname, '../../..');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

const TOTAL = 30_000;

function bigImport(dir: string): string {
  const lines: string[] = [];
  for (let i = 0; i < TOTAL; i++)
    lines.push(
      JSON.stringify(
        textDelivery({
          phoneNumberId: '1234567890',
          waId: `49151${String(i % 10_000).padStart(7, '0')}`,
          id: `wamid.term.${i}`,
          ts: 1732550400 + i,
          body: `hello ${i}`,
        }),
      ),
    );
  const file = path.join(dir, 'big.ndjson.gz');
  fs.writeFileSync(file, zlib.gzipSync(lines.join('\n')));
  return file;
}

function startServe(dataDir: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/serve-process.ts', dataDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /URL (http:\/\/[^/]+)\//.exec(out);
      if (m) resolve({ child, base: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`serve exited early (${code})`)));
  });
}

it('serve stops within 5 s on SIGTERM while an import runs, and the import runs again', async () => {
  const dataDir = tempDir();
  const file = bigImport(dataDir);
  const { child, base } = await startServe(dataDir);
  const api = async (method: string, args: unknown) =>
    (await (
      await fetch(`${base}/api/${method}`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
        body: JSON.stringify({ args }),
      })
    ).json()) as { ok: boolean; value?: unknown; error?: { code: string } };

  const importing = api('import.files', { files: [file] });
  // Once the job has committed a chunk, it is well under way.
  await vi.waitFor(
    async () => {
      const jobs = (await api('jobs.list', {})).value as { state: string; progress: number | null }[];
      expect(jobs[0]?.state).toBe('running');
      expect(jobs[0]?.progress ?? 0).toBeGreaterThan(0);
    },
    { timeout: 25_000, interval: 50 },
  );
  // An open dashboard tab's event stream must not hold the server open either.
  const events = await fetch(`${base}/api/events?token=test-token`);
  expect(events.status).toBe(200);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const sent = Date.now();
  child.kill('SIGTERM');
  // A bound, not a wait: a server that ignores SIGTERM fails here instead of at the test's timeout.
  const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
  const took = Date.now() - sent;
  expect(code).not.toBe('hung');
  expect(took).toBeLessThan(5000);
  expect(code).toBe(0);
  const answer = await importing;
  expect(answer.ok).toBe(false);
  expect(['cancelled', 'unavailable']).toContain(answer.error?.code);

  const db = openDatabase(workspaceDbPath(dataDir, 'default'));
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  const stored = db.prepare("SELECT count(*) FROM messages WHERE id LIKE 'wamid.term.%'").pluck().get();
  db.close();
  expect(stored).toBeLessThan(TOTAL);

  // Nothing half-done is in the way: the same import completes the set, each message once.
  const core = makeTestCore(dataDir);
  try {
    await core.call('import.files', { files: [file] });
    expect(
      core.db().prepare("SELECT count(*) FROM messages WHERE id LIKE 'wamid.term.%'").pluck().get(),
    ).toBe(TOTAL);
  } finally {
    await core.close();
  }
}, 90_000);
