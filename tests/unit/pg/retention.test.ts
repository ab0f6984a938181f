import type pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { callPg } from '../../../src/core/pg/calls';
import { acquireLease } from '../../../src/core/pg/lease';
import { migratePg } from '../../../src/core/pg/migrate';
import { pgMigrations } from '../../../src/core/pg/migrations';
import { startOwnerRunner } from '../../../src/core/pg/owner-work';
import { openPgStore, type PgStore } from '../../../src/core/pg/pool';
import { applyPgRetention, RETENTION_JOB, retentionJob } from '../../../src/core/pg/retention';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';
import { describePostgres, type PgCluster, startCluster } from '../../helpers/postgres';

// Retention on the PostgreSQL store: bodies past the workspace's retention are dropped by the process
// holding the workspace's retention lease, and by no other, whatever that one believes.

const DAY = 86_400_000;

describePostgres('retention on PostgreSQL, under its lease', () => {
  let cluster: PgCluster;
  let store: PgStore;
  let pool: pg.Pool;
  beforeAll(async () => {
    cluster = await startCluster();
    store = openPgStore(await cluster.createDatabase());
    pool = store.pool;
    await migratePg(store, pgMigrations);
    const now = Date.now();
    for (const [i, ageDays] of [40, 35, 2].entries())
      await pool.query(
        `INSERT INTO raw_payloads (workspace, sha256, received_at, origin, format, channel, body, size)
         VALUES ('w', $1, $2, 'webhook', 'cloud', '1', '\\x00'::bytea, 1)`,
        [Buffer.from([i]), now - ageDays * DAY],
      );
    await pool.query(
      `INSERT INTO settings (workspace, key, value) VALUES ('w', 'ingest.rawRetentionDays', '30')`,
    );
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    cluster?.destroy();
  });

  const withBody = async () =>
    (
      await pool.query(
        "SELECT count(*)::int AS n FROM raw_payloads WHERE workspace = 'w' AND body IS NOT NULL",
      )
    ).rows[0].n as number;

  it('a process that does not hold the lease changes nothing; the holder drops the old bodies', async () => {
    expect((await acquireLease(pool, 'w', RETENTION_JOB, 'holder-a')).held).toBe(true);
    const never = new AbortController().signal;
    expect(await applyPgRetention(pool, 'w', 'not-the-holder', never)).toBe(0);
    expect(await withBody()).toBe(3);
    // The holder's lease expired and another took it: the former holder is fenced off too.
    await pool.query("UPDATE leases SET expires_at = now() - interval '1 second' WHERE workspace = 'w'");
    expect((await acquireLease(pool, 'w', RETENTION_JOB, 'holder-b')).held).toBe(true);
    expect(await applyPgRetention(pool, 'w', 'holder-a', never)).toBe(0);
    expect(await withBody()).toBe(3);
    await pool.query("DELETE FROM leases WHERE workspace = 'w'");
  });

  it('the owner runner applies it on the process that takes the lease', async () => {
    const runner = startOwnerRunner({ db: pool, jobs: [retentionJob(pool)], workspaces: async () => ['w'] });
    try {
      await vi.waitFor(async () => expect(await withBody()).toBe(1), { timeout: 10_000, interval: 50 });
      expect(runner.held()).toEqual([`w/${RETENTION_JOB}`]);
    } finally {
      await runner.stop();
    }
  });

  it('`retention N --database` stores the setting and applies it now unless a collector holds the lease', async () => {
    const secrets = new FileSecretStore('/nonexistent/secrets.json');
    const set = (rawRetentionDays: number | null) =>
      callPg(store, secrets, 'ingest.settings.set', 'w', { rawRetentionDays });
    const get = () => callPg(store, secrets, 'ingest.settings.get', 'w', {});
    await pool.query("UPDATE raw_payloads SET body = '\\x00'::bytea WHERE workspace = 'w'");
    // A running collector holds the lease: it applies the new setting at its next round, not this call.
    expect((await acquireLease(pool, 'w', RETENTION_JOB, 'collector-1')).held).toBe(true);
    expect(await set(30)).toEqual({ rawRetentionDays: 30, pruned: 0 });
    expect(await withBody()).toBe(3);
    await pool.query("DELETE FROM leases WHERE workspace = 'w'");
    // No holder: applied now, and the lease is not kept by the command.
    expect(await set(3)).toEqual({ rawRetentionDays: 3, pruned: 2 });
    expect(await withBody()).toBe(1);
    expect((await pool.query("SELECT count(*)::int AS n FROM leases WHERE workspace = 'w'")).rows[0].n).toBe(
      0,
    );
    expect(await get()).toEqual({ rawRetentionDays: 3 });
    expect(await set(null)).toEqual({ rawRetentionDays: null, pruned: 0 });
    expect(await get()).toEqual({ rawRetentionDays: null });
    await expect(set(0)).rejects.toThrow();
  });
});
