import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Db, openDatabase } from '../../src/core/db/open';
import { allHandlers, internalHandlers } from '../../src/core/entry/handlers';
import { CoreHost } from '../../src/core/host/host';
import type { CoreContext } from '../../src/core/kernel/context';
import { JsonPrefsStore } from '../../src/core/prefs/prefs-store';
import { FileSecretStore } from '../../src/core/secrets/file-secret-store';
import { workspaceDbPath } from '../../src/core/workspace/workspaces';
import type { ArgsOf, MethodName, ResultOf } from '../../src/shared/contract';

export function tempDir(prefix = 'insights-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestCore {
  dataDir: string;
  host: CoreHost;
  call<M extends MethodName>(method: M, args: ArgsOf<M>, workspace?: string): Promise<ResultOf<M>>;
  /** A direct connection to a workspace database, for assertions. */
  db(workspace?: string): Db;
  close(): Promise<void>;
}

/** A core running inline on a fresh temp data folder (or the one given, removed by close()): the same handlers and validation as the app. */
export function makeTestCore(dataDir = tempDir()): TestCore {
  const host = new CoreHost({
    dataDir,
    mode: 'browser',
    version: 'test',
    secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')),
    prefs: new JsonPrefsStore(path.join(dataDir, 'preferences.json')),
    runner: { kind: 'inline', handlers: allHandlers, internal: internalHandlers },
  });
  const dbs: Db[] = [];
  return {
    dataDir,
    host,
    call: (method, args, workspace = 'default') => host.call(method, workspace, args),
    db: (workspace = 'default') => {
      const db = openDatabase(workspaceDbPath(dataDir, workspace));
      dbs.push(db);
      return db;
    },
    close: async () => {
      for (const db of dbs) db.close();
      await host.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Lane workers straight from the TypeScript sources (the app uses the bundle in out/core/worker.js). */
export function tsWorkerRunner(): { kind: 'worker'; file: string; argv: string[] } {
  return {
    kind: 'worker',
    file: path.resolve('tests/helpers/ts-worker.mjs'),
    argv: [pathToFileURL(path.resolve('src/core/entry/worker.ts')).href],
  };
}

/** A CoreHost on lane workers (as the app and `serve` run it), with file secrets and prefs in `dataDir`. */
export function workerHost(dataDir = tempDir()): CoreHost {
  return new CoreHost({
    dataDir,
    mode: 'browser',
    version: 'test',
    secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')),
    prefs: new JsonPrefsStore(path.join(dataDir, 'prefs.json')),
    runner: tsWorkerRunner(),
  });
}

/** A handler context on one connection, for calling core functions directly (no host, no lanes). */
export function testContext(db: Db, dataDir: string, overrides: Partial<CoreContext> = {}): CoreContext {
  return {
    dataDir,
    workspace: 'default',
    db: () => db,
    dbFor: () => db,
    closeDb: () => {},
    secrets: {
      backend: 'test',
      warning: null,
      get: async () => null,
      set: async () => {},
      delete: async () => {},
    },
    progress: () => {},
    signal: new AbortController().signal,
    emit: () => {},
    yield: () => new Promise((resolve) => setImmediate(resolve)),
    ...overrides,
  };
}
