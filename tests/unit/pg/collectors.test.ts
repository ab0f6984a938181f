import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addChannelPg } from '../../../src/core/pg/admin';
import { migratePg } from '../../../src/core/pg/migrate';
import { pgMigrations } from '../../../src/core/pg/migrations';
import { openPgStore, type PgStore } from '../../../src/core/pg/pool';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';
import {
  burst,
  type CollectorProcess,
  startCollectorProcess,
  storedMessageIds,
} from '../../helpers/collector-processes';
import { tempDir } from '../../helpers/core';
import { describePostgres, type PgCluster, startCluster } from '../../helpers/postgres';

// Several `insights serve --database …` processes on one PostgreSQL: a 200 means stored, whatever
// happens to a process or to the database during a burst.

const CHANNEL = '1234567890';
const N = 2000;
const CLIENTS = 32;

describePostgres('collector processes on one PostgreSQL', () => {
  let cluster: PgCluster;
  const procs: CollectorProcess[] = [];
  const stores: PgStore[] = [];
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    for (const s of stores) await s.close();
    cluster?.destroy();
  });

  /** A fresh database with one channel; its store and the channel's secret. */
  const database = async () => {
    const url = await cluster.createDatabase();
    const store = openPgStore(url);
    stores.push(store);
    await migratePg(store, pgMigrations);
    const dir = tempDir();
    const { secret } = await addChannelPg(
      store,
      new FileSecretStore(path.join(dir, 'secrets.json')),
      'default',
      {
        phoneNumberId: CHANNEL,
      },
    );
    return { url, store, secret };
  };
  const collector = async (url: string) => {
    const p = await startCollectorProcess(tempDir(), url);
    procs.push(p);
    return p;
  };

  it('SIGKILL of one of two collectors during 2,000 deliveries from 32 clients loses no acknowledged delivery', async () => {
    const { url, store, secret } = await database();
    const [a, b] = await Promise.all([collector(url), collector(url)]);
    let killed = false;
    const result = await burst({
      n: N,
      clients: CLIENTS,
      channel: CHANNEL,
      secret,
      // Half to each; a delivery that failed goes to the other one (a balancer's retry, or 360dialog's).
      pick: (i, attempt) => ((i + attempt) % 2 === 0 ? a.base : b.base),
      onAck: (total) => {
        if (total === 500 && !killed) {
          killed = true;
          a.child.kill('SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    expect(await a.exited).toBeNull(); // killed, not exited
    // Deliveries cut off by the kill were refused or lost their connection, then retried on b.
    expect([...result.refused.keys()].length).toBeGreaterThan(0);
    expect(result.acked.size).toBe(N);
    const ids = await storedMessageIds(store.pool);
    // Every acknowledged delivery is stored, once.
    expect(ids.length).toBe(N);
    expect(new Set(ids).size).toBe(N);
    for (const i of result.acked.keys()) expect(ids).toContain(`wamid.burst.${i}`);
  }, 180_000);

  it('PostgreSQL stopped and started during a burst: 503 meanwhile, no 200 for what is not stored, each stored once', async () => {
    const { url, store, secret } = await database();
    const [a, b] = await Promise.all([collector(url), collector(url)]);
    let stopped = false;
    const result = await burst({
      n: N,
      clients: CLIENTS,
      channel: CHANNEL,
      secret,
      pick: (i, attempt) => ((i + attempt) % 2 === 0 ? a.base : b.base),
      onAck: async (total) => {
        if (total === 600 && !stopped) {
          stopped = true;
          cluster.stop();
          // Down for a while: the clients keep sending and get refusals.
          await new Promise((r) => setTimeout(r, 1500));
          cluster.start();
        }
      },
    });
    expect(stopped).toBe(true);
    // While the database was down the collectors refused (503), and 360dialog would retry.
    expect(result.refused.get('503') ?? 0).toBeGreaterThan(0);
    // An acknowledged delivery is never sent again: had a 200 been given for one not stored, it would
    // be missing here.
    expect(result.acked.size).toBe(N);
    expect([...result.acked.values()].every((n) => n === 1)).toBe(true);
    const ids = await storedMessageIds(store.pool);
    expect(ids.length).toBe(N);
    expect(new Set(ids).size).toBe(N);
  }, 180_000);
});
