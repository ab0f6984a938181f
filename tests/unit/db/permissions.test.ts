import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/core/db/open';
import { allHandlers, internalHandlers } from '../../../src/core/entry/handlers';
import { CoreHost } from '../../../src/core/host/host';
import { JsonPrefsStore } from '../../../src/core/prefs/prefs-store';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';
import { tempDir } from '../../helpers/core';

// Issue 14, item 9: the data folder and everything in it is the owner's only, whatever the umask.
// (vitest runs this file in a forked process: process.umask can be set.)

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const original = process.umask();
afterEach(() => {
  process.umask(original);
});

describe.skipIf(process.platform === 'win32')('data folder permissions', () => {
  it.each([
    ['022', 0o022],
    ['000', 0o000],
  ])('folders 0700, databases with -wal/-shm and secrets 0600 under umask %o', async (umask) => {
    process.umask(umask);
    const dataDir = path.join(tempDir('insights-perm-'), 'data'); // created by the core
    const host = new CoreHost({
      dataDir,
      mode: 'browser',
      version: 'test',
      secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')),
      prefs: new JsonPrefsStore(path.join(dataDir, 'preferences.json')),
      runner: { kind: 'inline', handlers: allHandlers, internal: internalHandlers },
    });
    try {
      await host.call('channels.add', 'default', { phoneNumberId: '1234567890' }); // a write: -wal and -shm exist
      await host.call('prefs.set', undefined, { theme: 'dark' });
      const ws = path.join(dataDir, 'workspaces', 'default');
      const db = path.join(ws, 'insights.sqlite');
      expect(fs.existsSync(`${db}-wal`)).toBe(true);
      expect(fs.existsSync(`${db}-shm`)).toBe(true);
      for (const dir of [dataDir, path.join(dataDir, 'workspaces'), ws])
        expect([dir, mode(dir)]).toEqual([dir, 0o700]);
      for (const file of [db, `${db}-wal`, `${db}-shm`, path.join(dataDir, 'secrets.json')])
        expect([file, mode(file)]).toEqual([file, 0o600]);
      expect(mode(path.join(dataDir, 'preferences.json'))).toBe(0o600);
    } finally {
      await host.close();
    }
  });

  it('tightens a workspace an older version created 0755/0644', () => {
    process.umask(0o022);
    const ws = path.join(tempDir('insights-perm-'), 'workspaces', 'old');
    fs.mkdirSync(ws, { recursive: true, mode: 0o755 });
    const file = path.join(ws, 'insights.sqlite');
    openDatabase(file).close();
    fs.chmodSync(ws, 0o755);
    fs.chmodSync(file, 0o644);
    const db = openDatabase(file);
    try {
      db.exec('CREATE TABLE t (x)');
      expect(mode(ws)).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      expect(mode(`${file}-wal`)).toBe(0o600);
    } finally {
      db.close();
    }
  });
});
