import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { acquireLease, LEASE_TTL_MS } from '../../../src/core/pg/lease';
import { p0002 } from '../../../src/core/pg/migrations/0002_operations';
import { type OwnerEvent, startOwnerRunner } from '../../../src/core/pg/owner-work';
import { describePostgres, type PgCluster, startCluster } from '../../helpers/postgres';

// Owner-only work runs on one process at a time, and moves to another when its holder dies.

const root = path.join(__dirname, '../../..');
const children: ChildProcess[] = [];

function leaseProcess(url: string, workspace: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/helpers/lease-process.ts', url, workspace],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  const p = { child, out: '' };
  child.stdout!.on('data', (d: Buffer) => {
    p.out += d.toString();
  });
  return p;
}

describePostgres('leases for owner-only work', () => {
  let cluster: PgCluster;
  let url: string;
  let pool: pg.Pool;
  beforeAll(async () => {
    cluster = await startCluster();
    url = await cluster.createDatabase();
    pool = new pg.Pool({ connectionString: url });
    await pool.query(p0002.up);
  }, 120_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await pool?.end();
    cluster?.destroy();
  });

  it('gives a lease to one of many contenders, renews it for its holder only', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => acquireLease(pool, 'w', 'race', `p${i}`)),
    );
    const winners = outcomes.filter((o) => o.held);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.holder!;
    for (const o of outcomes.filter((x) => !x.held)) {
      expect(o.holder).toBe(winner);
      expect(o.remainingMs).toBeGreaterThan(LEASE_TTL_MS - 5000);
    }
    expect((await acquireLease(pool, 'w', 'race', winner)).held).toBe(true);
    expect((await acquireLease(pool, 'w', 'race', 'other')).held).toBe(false);
    // Expired: the next contender takes it.
    await pool.query("UPDATE leases SET expires_at = now() - interval '1 second' WHERE job = 'race'");
    expect(await acquireLease(pool, 'w', 'race', 'other')).toEqual({
      held: true,
      holder: 'other',
      remainingMs: 0,
    });
  });

  it('runs the jobs on one runner; a clean stop hands them over at the next attempt', async () => {
    const runs: string[] = [];
    const events: OwnerEvent[] = [];
    const runner = (name: string) =>
      startOwnerRunner({
        db: pool,
        holder: name,
        // Contenders ask every second here (every 10 s by default).
        renewEveryMs: 1000,
        workspaces: async () => ['a', 'b'],
        jobs: [
          {
            job: 'tick',
            everyMs: 50,
            run: async ({ workspace }) => {
              runs.push(`${name}:${workspace}`);
            },
          },
        ],
        onEvent: (e) => events.push(e),
      });
    const one = runner('one');
    await vi.waitFor(() => expect(one.held()).toEqual(['a/tick', 'b/tick']), { timeout: 5000 });
    const two = runner('two');
    await vi.waitFor(() => expect(runs.filter((r) => r.startsWith('one:')).length).toBeGreaterThan(4));
    expect(two.held()).toEqual([]);
    expect(runs.some((r) => r.startsWith('two:'))).toBe(false);
    const stoppedAt = Date.now();
    await one.stop();
    await vi.waitFor(() => expect(two.held()).toEqual(['a/tick', 'b/tick']), { timeout: 5000, interval: 20 });
    // Released rows are taken at the next attempt, not after the expiry.
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_TTL_MS / 2);
    await vi.waitFor(() => expect(runs.filter((r) => r === 'two:a').length).toBeGreaterThan(1));
    const rows = await pool.query(
      "SELECT workspace, holder FROM leases WHERE job = 'tick' ORDER BY workspace",
    );
    expect(rows.rows).toEqual([
      { workspace: 'a', holder: 'two' },
      { workspace: 'b', holder: 'two' },
    ]);
    await two.stop();
    expect((await pool.query("SELECT count(*)::int AS n FROM leases WHERE job = 'tick'")).rows[0].n).toBe(0);
    expect(events.filter((e) => e.type === 'failed')).toEqual([]);
  });

  it('SIGKILL of the holder: the other process takes over within 30 s', async () => {
    const a = leaseProcess(url, 'kill');
    await vi.waitFor(() => expect(a.out).toMatch(/ACQUIRED kill\/probe/), { timeout: 30_000, interval: 50 });
    const b = leaseProcess(url, 'kill');
    // b is up and asking (it has printed its holder id) and a keeps running the job alone.
    await vi.waitFor(() => expect(b.out).toMatch(/HOLDER /), { timeout: 30_000, interval: 50 });
    const runsBefore = (a.out.match(/RUN /g) ?? []).length;
    await vi.waitFor(() => expect((a.out.match(/RUN /g) ?? []).length).toBeGreaterThan(runsBefore + 3));
    expect(b.out).not.toMatch(/ACQUIRED|RUN /);

    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    await vi.waitFor(() => expect(b.out).toMatch(/ACQUIRED kill\/probe (\d+)/), {
      timeout: 40_000,
      interval: 50,
    });
    const tookMs = Number(/ACQUIRED kill\/probe (\d+)/.exec(b.out)![1]) - killedAt;
    console.log(`lease takeover after SIGKILL of the holder: ${(tookMs / 1000).toFixed(1)} s`);
    expect(tookMs).toBeLessThan(30_000);
    await vi.waitFor(() => expect(b.out).toMatch(/RUN /));
    const holder = /HOLDER (\S+)/.exec(b.out)![1];
    expect((await pool.query("SELECT holder FROM leases WHERE workspace = 'kill'")).rows).toEqual([
      { holder },
    ]);
  }, 90_000);
});
