import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../../src/core/db/open';
import { CoreHost } from '../../../src/core/host/host';
import { JsonPrefsStore } from '../../../src/core/prefs/prefs-store';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';
import { workspaceDbPath } from '../../../src/core/workspace/workspaces';
import type { CoreEvent, JobInfo } from '../../../src/shared/contract';
import { makeTestCore, type TestCore, tempDir } from '../../helpers/core';
import { textDelivery } from '../../helpers/webhook';

// Cancelling a rebuild (a settings change) from the jobs panel: it stops, the reports keep the old
// tables, and the settings go back to what those tables were built with, so no change is half made.

const CONTACTS = 9_000; // a few rebuild chunks of 2,000 threads

function deliveries(dir: string): string {
  const lines: string[] = [];
  for (let i = 0; i < CONTACTS; i++)
    lines.push(
      JSON.stringify(
        textDelivery({
          phoneNumberId: '1234567890',
          waId: `49151${String(i).padStart(7, '0')}`,
          id: `wamid.cancel.${i}`,
          ts: 1732550400 + i,
          body: `hello ${i}`,
        }),
      ),
    );
  const file = path.join(dir, 'deliveries.ndjson');
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

const derivedState = (dataDir: string) => {
  const db = openDatabase(workspaceDbPath(dataDir, 'default'));
  try {
    const state = (key: string) =>
      db.prepare('SELECT value FROM attr_state WHERE key = ?').pluck().get(key) as string | undefined;
    const active = JSON.parse(state('active') ?? '"attr_a_"') as string;
    const other = active === 'attr_a_' ? 'attr_b_' : 'attr_a_';
    return {
      rebuild: state('rebuild') ?? null,
      window: db.prepare("SELECT value FROM settings WHERE key = 'conversationWindowHours'").pluck().get() as
        | string
        | undefined,
      otherTables: db
        .prepare("SELECT count(*) FROM sqlite_master WHERE name LIKE ? || '%'")
        .pluck()
        .get(other),
      conversations: db.prepare(`SELECT count(*) FROM ${active}conversations`).pluck().get(),
    };
  } finally {
    db.close();
  }
};

let core: TestCore | undefined;
afterEach(async () => {
  await core?.close();
  core = undefined;
});

describe('cancelling a rebuild', () => {
  it('stops at the next chunk, keeps the old tables and puts the setting back', async () => {
    core = makeTestCore();
    await core.call('import.files', { files: [deliveries(core.dataDir)] });
    const before = await core.call('settings.get', {});
    const jobs: JobInfo[] = [];
    const off = core.host.onEvent((e: CoreEvent) => {
      if (e.type !== 'job' || e.job.kind !== 'rebuild') return;
      jobs.push(e.job);
      // Cancelled as soon as the rebuild shows progress: a chunk is in the new set by then.
      if (e.job.state === 'running' && (e.job.progress ?? 0) > 0) {
        off();
        void core!.host.call('jobs.cancel', undefined, { id: e.job.id });
      }
    });
    await expect(
      core.call('settings.set', {
        key: 'conversationWindowHours',
        value: before.conversationWindowHours * 2,
      }),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect((await core.call('jobs.list', {}))[0]).toMatchObject({ kind: 'rebuild', state: 'cancelled' });
    expect(jobs.at(-1)?.progress).toBeLessThan(1);

    const after = await core.call('settings.get', {});
    expect(after).toEqual({ ...before, rebuildPending: false });
    const state = derivedState(core.dataDir);
    expect(state).toMatchObject({ rebuild: null, otherTables: 0, conversations: CONTACTS });
    // Reports answer from the old tables.
    expect((await core.call('phones.list', {})).length).toBe(1);

    // The same change, not cancelled, goes through.
    const done = await core.call('settings.set', {
      key: 'conversationWindowHours',
      value: before.conversationWindowHours * 2,
    });
    expect(done).toMatchObject({ rebuilt: true, rebuildPending: false });
  }, 60_000);

  it('stops a job stuck in a step that cannot be split by stopping its worker, and tidies up', async () => {
    const dataDir = tempDir();
    const host = new CoreHost({
      dataDir,
      mode: 'browser',
      version: 'test',
      secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')),
      prefs: new JsonPrefsStore(path.join(dataDir, 'prefs.json')),
      runner: {
        kind: 'worker',
        file: path.resolve('tests/helpers/ts-worker.mjs'),
        argv: [pathToFileURL(path.resolve('tests/helpers/stuck-rebuild-worker.ts')).href],
      },
    });
    try {
      await host.call('import.files', 'default', { files: [deliveries(dataDir)] });
      const before = await host.call('settings.get', 'default', {});
      const jobs: JobInfo[] = [];
      host.onEvent((e) => {
        if (e.type === 'job') jobs.push(e.job);
      });
      const change = host.call('settings.set', 'default', {
        key: 'conversationWindowHours',
        value: before.conversationWindowHours * 2,
      });
      const outcome = change.then(
        () => 'done',
        (err: { code: string }) => err.code,
      );
      // Stuck after its first chunk: the claim and the new setting are committed.
      await vi.waitFor(
        () => {
          const s = derivedState(dataDir);
          expect(s.rebuild).not.toBeNull();
          expect(Number(s.window)).toBe(before.conversationWindowHours * 2);
        },
        { timeout: 30_000, interval: 50 },
      );
      const job = jobs.find((j) => j.kind === 'rebuild')!;
      const cancelledAt = Date.now();
      await host.call('jobs.cancel', 'default', { id: job.id });
      // The stuck handler would run 30 s; the host stops it.
      expect(await outcome).toBe('cancelled');
      const took = Date.now() - cancelledAt;
      process.stdout.write(`forced cancel answered after ${took} ms\n`);
      expect(took).toBeLessThan(20_000);
      expect(jobs.filter((j) => j.id === job.id).at(-1)?.state).toBe('cancelled');

      // The fresh job worker released the stopped rebuild and put the setting back.
      await vi.waitFor(
        () =>
          expect(derivedState(dataDir)).toMatchObject({
            rebuild: null,
            window: String(before.conversationWindowHours),
            otherTables: 0,
            conversations: CONTACTS,
          }),
        { timeout: 10_000, interval: 50 },
      );
      expect(await host.call('settings.get', 'default', {})).toEqual({ ...before, rebuildPending: false });
      // The job lane works again, and a rebuild is not held up by the stopped one's claim.
      expect(await host.call('keywords.add', 'default', { keyword: 'hello 1' })).toMatchObject({
        rebuilt: true,
      });
    } finally {
      await host.close();
    }
  }, 90_000);
});
