import path from 'node:path';
import { afterAll, describe } from 'vitest';
import type { HostApi } from '../../src/core/kernel/host-api';
import {
  addChannelPg,
  createApiKeyPg,
  createTokenPg,
  listApiKeysPg,
  listTokensPg,
  revokeApiKeyPg,
  revokeTokenPg,
  setSettingPg,
} from '../../src/core/pg/admin';
import { callPg } from '../../src/core/pg/calls';
import { openPgCollector, type PgCollector } from '../../src/core/pg/collector';
import type { PoolOptions } from '../../src/core/pg/pool';
import { FileSecretStore } from '../../src/core/secrets/file-secret-store';
import { type RunningServer, startServer } from '../../src/core/server/server';
import type { ArgsOf, MethodName, ResultOf } from '../../src/shared/contract';
import type { CollectorToken } from '../../src/shared/contract/collector';
import type { ApiKeyInfo } from '../../src/shared/contract/ingest';
import { makeTestCore, type TestCore } from './core';
import { describePostgres, type PgCluster, startCluster } from './postgres';

// A collector under test, on either backend, set up and observed through the same few operations, so one
// suite of receiver / feed tests runs on SQLite and on PostgreSQL (issue 18: "the receiver suite that
// SQLite passes, unchanged, passes on PostgreSQL").

export type BackendKind = 'sqlite' | 'postgres';

export interface CollectorUnderTest {
  kind: BackendKind;
  /** The process's own core: secret store, dashboard, contract calls. */
  core: TestCore;
  server: RunningServer;
  /** PostgreSQL only: the receivers' store. */
  pg?: PgCollector;
  /** What the receivers' routes talk to (the core's host on SQLite, PgCollector on PostgreSQL). */
  receivers: HostApi;
  addChannel(
    args: { phoneNumberId: string; name?: string; apiKey?: string },
    workspace?: string,
  ): Promise<{ secret: string }>;
  createKey(workspace?: string): Promise<string>;
  listKeys(workspace?: string): Promise<ApiKeyInfo[]>;
  revokeKey(id: string, workspace?: string): Promise<void>;
  createToken(name?: string, workspace?: string): Promise<{ id: string; token: string }>;
  revokeToken(id: string, workspace?: string): Promise<void>;
  listTokens(workspace?: string): Promise<CollectorToken[]>;
  setBaseUrl(url: string, workspace?: string): Promise<void>;
  /** A contract method `--database` serves on PostgreSQL (src/core/pg/calls.ts), as the CLI calls it. */
  manage<M extends MethodName>(method: M, args: ArgsOf<M>, workspace?: string): Promise<ResultOf<M>>;
  /** Rows stored by the receivers: raw_payloads, external_events, outgoing_messages, quarantine. */
  count(
    table: 'raw_payloads' | 'external_events' | 'outgoing_messages' | 'quarantine',
    workspace?: string,
  ): Promise<number>;
  /** The rows a query returns from the collector's store (the SQL for each backend). */
  rows(query: { sqlite: string; postgres: string }, workspace?: string): Promise<unknown[]>;
  close(): Promise<void>;
}

export interface Backend {
  kind: BackendKind;
  /** A fresh collector: its own data folder and, on PostgreSQL, its own database (or the one given). */
  start(options?: { databaseUrl?: string; pool?: PoolOptions }): Promise<CollectorUnderTest>;
  /** PostgreSQL only: the cluster (to stop and start it, or make more databases). */
  cluster?(): Promise<PgCluster>;
}

const sqlite: Backend = {
  kind: 'sqlite',
  async start() {
    const core = makeTestCore();
    const server = await startServer({ host: core.host, apiToken: null, port: 0 });
    const ensure = async (ws: string) => {
      if (ws !== 'default' && !(await core.call('workspaces.list', {})).some((w) => w.name === ws))
        await core.call('workspaces.create', { name: ws });
    };
    return {
      kind: 'sqlite',
      core,
      server,
      receivers: core.host,
      addChannel: async (args, ws = 'default') => {
        await ensure(ws);
        return core.call('channels.add', args, ws);
      },
      createKey: async (ws = 'default') => {
        await ensure(ws);
        return (await core.call('keys.create', {}, ws)).key;
      },
      listKeys: (ws = 'default') => core.call('keys.list', {}, ws),
      revokeKey: async (id, ws = 'default') => {
        await core.call('keys.revoke', { id }, ws);
      },
      createToken: async (name, ws = 'default') => {
        await ensure(ws);
        return core.call('collector.tokens.create', name === undefined ? {} : { name }, ws);
      },
      revokeToken: async (id, ws = 'default') => {
        await core.call('collector.tokens.revoke', { id }, ws);
      },
      listTokens: (ws = 'default') => core.call('collector.tokens.list', {}, ws),
      setBaseUrl: async (url, ws = 'default') => {
        await core.call('dialog360.setSettings', { baseUrl: url }, ws);
      },
      manage: (method, args, ws = 'default') => core.call(method, args, ws),
      count: async (table, ws = 'default') =>
        (core.db(ws).prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
      rows: async (q, ws = 'default') => core.db(ws).prepare(q.sqlite).all(),
      close: async () => {
        await server.close();
        await core.close();
      },
    };
  },
};

/** One cluster per test file, started on first use and removed after the file's tests. */
let clusterPromise: Promise<PgCluster> | null = null;
function sharedCluster(): Promise<PgCluster> {
  if (!clusterPromise) {
    clusterPromise = startCluster();
    afterAll(async () => (await clusterPromise)?.destroy());
  }
  return clusterPromise;
}

const postgres: Backend = {
  kind: 'postgres',
  cluster: sharedCluster,
  async start(options = {}) {
    const cluster = await sharedCluster();
    const url = options.databaseUrl ?? (await cluster.createDatabase());
    const core = makeTestCore();
    const secrets = new FileSecretStore(path.join(core.dataDir, 'secrets.json'));
    const pg = await openPgCollector(url, secrets, core.host, options.pool);
    const server = await startServer({ host: core.host, receivers: pg, apiToken: null, port: 0 });
    const store = pg.store;
    return {
      kind: 'postgres',
      core,
      server,
      pg,
      receivers: pg,
      addChannel: (args, ws = 'default') => addChannelPg(store, secrets, ws, args),
      createKey: async (ws = 'default') => (await createApiKeyPg(store, ws, null)).key,
      listKeys: (ws = 'default') => listApiKeysPg(store, ws),
      revokeKey: (id, ws = 'default') => revokeApiKeyPg(store, ws, id),
      createToken: (name, ws = 'default') => createTokenPg(store, ws, name),
      revokeToken: (id, ws = 'default') => revokeTokenPg(store, ws, id),
      listTokens: (ws = 'default') => listTokensPg(store, ws),
      setBaseUrl: (u, ws = 'default') => setSettingPg(store, ws, 'dialog360.baseUrl', u),
      manage: async (method, args, ws = 'default') =>
        (await callPg(store, secrets, method, ws, args)) as ResultOf<typeof method>,
      count: async (table, ws = 'default') => {
        const r = await store.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE workspace = $1`, [
          ws,
        ]);
        return r.rows[0].n as number;
      },
      // One workspace in the tests that use it: the query need not filter.
      rows: async (q) => (await store.pool.query(q.postgres)).rows,
      close: async () => {
        await server.close();
        await pg.close();
        await core.close();
      },
    };
  },
};

export const BACKENDS: readonly Backend[] = [sqlite, postgres];

/** describe() once per backend; the PostgreSQL one is skipped with its reason where PostgreSQL is missing. */
export function describeEachBackend(name: string, body: (backend: Backend) => void): void {
  describe(`${name} [sqlite]`, () => body(sqlite));
  describePostgres(`${name} [postgres]`, () => body(postgres));
}

export { postgres as postgresBackend, sqlite as sqliteBackend };
