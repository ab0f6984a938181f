import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { wantedConfig } from '../../../src/core/attribution/config';
import { openDatabase } from '../../../src/core/db/open';
import { allHandlers, internalHandlers } from '../../../src/core/entry/handlers';
import { CoreHost } from '../../../src/core/host/host';
import { JsonPrefsStore } from '../../../src/core/prefs/prefs-store';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';
import { workspaceDbPath } from '../../../src/core/workspace/workspaces';
import { ApiError } from '../../../src/shared/contract/errors';
import { makeTestCore, type TestCore, tempDir, workerHost } from '../../helpers/core';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.close();
  core = undefined;
});

describe('CoreHost (inline)', () => {
  it('rejects unknown methods and invalid arguments before any handler runs', async () => {
    core = makeTestCore();
    await expect(core.host.call('nope.nothing', 'default', {})).rejects.toMatchObject({ code: 'not_found' });
    await expect(core.host.call('workspaces.create', 'default', { name: 'Bad Name!' })).rejects.toMatchObject(
      {
        code: 'invalid_argument',
        field: 'name',
      },
    );
    await expect(
      core.host.call('workspaces.create', 'default', { name: 'ok', extra: 1 }),
    ).rejects.toBeInstanceOf(ApiError);
    expect(await core.call('workspaces.list', {})).toEqual([]);
  });

  it('creates workspaces, refuses duplicates and lists them', async () => {
    core = makeTestCore();
    const ws = await core.call('workspaces.create', { name: 'client-a' });
    expect(ws).toMatchObject({ name: 'client-a', isDemo: false });
    await expect(core.call('workspaces.create', { name: 'client-a' })).rejects.toMatchObject({
      code: 'conflict',
    });
    expect((await core.call('workspaces.list', {})).map((w) => w.name)).toEqual(['client-a']);
  });

  it('merges and keeps preferences', async () => {
    core = makeTestCore();
    await core.call('prefs.set', { theme: 'dark', eventByPhone: { a: 'ext:Purchase' } });
    await core.call('prefs.set', { eventByPhone: { b: 'button:Yes' } });
    expect(await core.call('prefs.get', {})).toEqual({
      theme: 'dark',
      eventByPhone: { a: 'ext:Purchase', b: 'button:Yes' },
    });
  });

  it('keeps every change of preferences stored at the same time (each merges into the one before)', async () => {
    core = makeTestCore();
    await Promise.all([
      core.call('prefs.set', { theme: 'dark' }),
      core.call('prefs.set', { compare: 'none' }),
      core.call('prefs.set', { eventByPhone: { a: 'ext:Purchase' } }),
      core.call('prefs.set', { eventByPhone: { b: 'button:Yes' } }),
    ]);
    expect(await core.call('prefs.get', {})).toEqual({
      theme: 'dark',
      compare: 'none',
      eventByPhone: { a: 'ext:Purchase', b: 'button:Yes' },
    });
  });

  it("rejects a bad setting or keyword as the caller's error, without a failed job", async () => {
    core = makeTestCore();
    const jobs: string[] = [];
    core.host.onEvent((e) => {
      if (e.type === 'job') jobs.push(`${e.job.kind}:${e.job.state}`);
    });
    await expect(
      core.call('settings.set', { key: 'conversationWindowHours', value: 0 }),
    ).rejects.toMatchObject({ code: 'invalid_argument', field: 'value' });
    await expect(core.call('settings.set', { key: 'timezone', value: 'Mars/Olympus' })).rejects.toMatchObject(
      {
        code: 'invalid_argument',
      },
    );
    await expect(core.call('keywords.add', { keyword: '!!!' })).rejects.toMatchObject({
      code: 'invalid_argument',
      field: 'keyword',
    });
    expect(jobs).toEqual([]);
    expect(await core.call('jobs.list', {})).toEqual([]);
    // The fixed value goes through, as a rebuild job that succeeds.
    await core.call('settings.set', { key: 'conversationWindowHours', value: 48 });
    expect(jobs.at(-1)).toBe('rebuild:done');
    expect((await core.call('jobs.list', {})).map((j) => j.state)).toEqual(['done']);
  });

  it('reports app info without any secret', async () => {
    core = makeTestCore();
    const info = await core.call('app.info', {});
    expect(info).toMatchObject({
      mode: 'browser',
      dataDir: core.dataDir,
      defaultWorkspace: 'default',
      secretBackend: 'file-0600',
    });
  });
});

describe('CoreHost (worker threads)', () => {
  it('runs calls on lane workers and survives handler errors', async () => {
    const dataDir = tempDir();
    const host = workerHost(dataDir);
    try {
      await host.call('workspaces.create', 'default', { name: 'w1' });
      await expect(host.call('workspaces.create', 'default', { name: 'w1' })).rejects.toMatchObject({
        code: 'conflict',
      });
      const [a, b] = await Promise.all([
        host.call('workspaces.list', 'default', {}),
        host.call('phones.list', 'w1', {}),
      ]);
      expect(a.map((w) => w.name)).toEqual(['w1']);
      expect(b).toEqual([]);
    } finally {
      await host.close();
    }
  });

  it("answers the transports with UTF-8 JSON made in the lane and the handler's own time", async () => {
    const dataDir = tempDir();
    const host = workerHost(dataDir);
    try {
      await host.call('workspaces.create', 'default', { name: 'w1' });
      const answer = await host.callJson('workspaces.list', 'default', {});
      expect(JSON.parse(new TextDecoder().decode(answer.json))).toEqual(
        await host.call('workspaces.list', 'default', {}),
      );
      expect(answer.handlerMs).toBeGreaterThan(0);
      await expect(host.callJson('workspaces.create', 'default', { name: 'w1' })).rejects.toMatchObject({
        code: 'conflict',
      });
    } finally {
      await host.close();
    }
  });
});

describe('CoreHost: derivation rules of an older version', () => {
  it('rebuilds a workspace derived with older rules as a job once it is opened', async () => {
    const dataDir = tempDir();
    // A workspace whose derived data predates DERIVATION_RULES: its stored config has no `rules`, and a
    // message stored then was never derived into a conversation by the current rules.
    const setup = new CoreHost({
      dataDir,
      mode: 'browser',
      version: 'test',
      secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')),
      prefs: new JsonPrefsStore(path.join(dataDir, 'prefs.json')),
      runner: { kind: 'inline', handlers: allHandlers, internal: internalHandlers },
    });
    await setup.call('workspaces.create', 'default', { name: 'w1' });
    await setup.close();
    const db = openDatabase(workspaceDbPath(dataDir, 'w1'));
    const { rules: _rules, ...old } = wantedConfig(db);
    db.prepare("INSERT INTO attr_state (key, value) VALUES ('config', ?)").run(JSON.stringify(old));
    db.prepare(
      "INSERT INTO messages (id, phone_number_id, contact_id, direction, ts, type, text) VALUES ('m1', '1000000001', 'c1', 'in', 1772355600, 'text', 'hi')",
    ).run();
    db.close();

    const host = workerHost(dataDir);
    try {
      const jobs: string[] = [];
      host.onEvent((e) => {
        if (e.type === 'job' && e.job.state === 'done') jobs.push(e.job.kind);
      });
      expect((await host.call('settings.get', 'w1', {})).rebuildPending).toBe(true);
      await vi.waitFor(() => expect(jobs).toEqual(['rebuild']), { timeout: 20_000, interval: 50 });
      expect((await host.call('settings.get', 'w1', {})).rebuildPending).toBe(false);
      const check = openDatabase(workspaceDbPath(dataDir, 'w1'));
      expect(check.prepare('SELECT first_message_id FROM attr_conversations').pluck().all()).toEqual(['m1']);
      check.close();
    } finally {
      await host.close();
    }
  });
});
