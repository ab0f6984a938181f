import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CoreHost } from '../../../src/core/host/host';
import { JsonPrefsStore } from '../../../src/core/prefs/prefs-store';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';
import { ApiError } from '../../../src/shared/contract/errors';
import { makeTestCore, type TestCore, tempDir, tsWorkerRunner } from '../../helpers/core';

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
    const host = new CoreHost({
      dataDir,
      mode: 'browser',
      version: 'test',
      secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')),
      prefs: new JsonPrefsStore(path.join(dataDir, 'prefs.json')),
      runner: tsWorkerRunner(),
    });
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

  it("answers the transports with JSON text and the handler's own time", async () => {
    const dataDir = tempDir();
    const host = new CoreHost({
      dataDir,
      mode: 'browser',
      version: 'test',
      secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')),
      prefs: new JsonPrefsStore(path.join(dataDir, 'prefs.json')),
      runner: tsWorkerRunner(),
    });
    try {
      await host.call('workspaces.create', 'default', { name: 'w1' });
      const answer = await host.callJson('workspaces.list', 'default', {});
      expect(JSON.parse(answer.json)).toEqual(await host.call('workspaces.list', 'default', {}));
      expect(answer.handlerMs).toBeGreaterThan(0);
      await expect(host.callJson('workspaces.create', 'default', { name: 'w1' })).rejects.toMatchObject({
        code: 'conflict',
      });
    } finally {
      await host.close();
    }
  });
});
