// bench:collector — the collector's receivers under load, on this machine, in one run (issue 18):
// deliveries/s and p99 time to the 200 with 64 concurrent clients for one SQLite collector, one
// PostgreSQL collector and two PostgreSQL collectors (clients alternate between them); the /v1/sync
// feed's rows/s to a desktop; and the CPU each process spends per delivery (/proc/<pid>/stat utime +
// stime: https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html), with what that predicts for N
// collector machines in front of one PostgreSQL server.
// `npm run bench:collector -- 4000` (deliveries per set-up, default 4000). Collectors run as
// `insights serve` processes with lane workers from source (tests/helpers/serve-process.ts), the
// PostgreSQL cluster is a throwaway one on 127.0.0.1 with fsync on (tests/helpers/postgres.ts):
// figures compare the set-ups with each other; they are not a server's absolute figures.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addChannelPg, createTokenPg } from '../src/core/pg/admin';
import { migratePg } from '../src/core/pg/migrate';
import { pgMigrations } from '../src/core/pg/migrations';
import { openPgStore } from '../src/core/pg/pool';
import { FileSecretStore } from '../src/core/secrets/file-secret-store';
import {
  burstDelivery,
  type CollectorProcess,
  startCollectorProcess,
} from '../tests/helpers/collector-processes';
import { makeTestCore, tempDir } from '../tests/helpers/core';
import { startCluster } from '../tests/helpers/postgres';

const N = Number(process.argv[2] ?? 4000);
const CLIENTS = 64;
const CHANNEL = '1234567890';
const TICK = 100; // USER_HZ on Linux (sysconf(_SC_CLK_TCK)): /proc times are in 1/100 s

/** CPU seconds a process and (with `tree`) all its descendants have used so far. */
function cpuSeconds(pid: number, tree = false): number {
  const stat = (p: number) => {
    try {
      const s = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / TICK };
    } catch {
      return null;
    }
  };
  let total = stat(pid)?.cpu ?? 0;
  if (tree)
    for (const d of fs.readdirSync('/proc')) {
      const p = Number(d);
      if (!p || p === pid) continue;
      if (stat(p)?.ppid === pid) total += stat(p)!.cpu;
    }
  return total;
}

interface Run {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
  cpuPerDelivery: number[];
  pgCpuPerDelivery: number | null;
  /** This process, the 64 clients: on the same two cores, it takes CPU from the collectors. */
  clientCpuPerDelivery: number;
}

async function load(
  name: string,
  bases: string[],
  secret: string,
  pids: number[],
  pgPid: number | null,
  offset: number,
): Promise<Run> {
  const lat: number[] = [];
  let next = 0;
  const cpu0 = pids.map((p) => cpuSeconds(p));
  const pg0 = pgPid ? cpuSeconds(pgPid, true) : 0;
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < N) {
        const i = next++;
        const body = burstDelivery(CHANNEL, offset + i);
        for (;;) {
          const s = performance.now();
          const r = await fetch(`${bases[i % bases.length]}/webhooks/360dialog/${CHANNEL}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
            body,
          });
          await r.arrayBuffer();
          if (r.status === 200) {
            lat.push(performance.now() - s);
            break;
          }
        }
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return {
    name,
    perSecond: N / secs,
    p50: lat[Math.floor(lat.length * 0.5)]!,
    p99: lat[Math.floor(lat.length * 0.99)]!,
    cpuPerDelivery: pids.map((p, k) => (cpuSeconds(p) - cpu0[k]!) / N),
    pgCpuPerDelivery: pgPid ? (cpuSeconds(pgPid, true) - pg0) / N : null,
    clientCpuPerDelivery: (() => {
      const u = process.cpuUsage(client0);
      return (u.user + u.system) / 1e6 / N;
    })(),
  };
}

/** A desktop pulls everything from `base`; rows/s of the feed as the desktop stores them. */
async function feedRate(base: string, token: string): Promise<{ rows: number; perSecond: number }> {
  const desktop = makeTestCore();
  try {
    await desktop.call('collector.configure', { url: base, token });
    const t0 = performance.now();
    const r = await desktop.call('collector.sync', {});
    return { rows: r.payloads, perSecond: r.payloads / ((performance.now() - t0) / 1000) };
  } finally {
    await desktop.close();
  }
}

const procs: CollectorProcess[] = [];
// fsync on: each PostgreSQL commit waits for the disk, as the SQLite collector's acknowledged commits do.
const cluster = await startCluster({ durable: true });
try {
  const postmaster = Number(
    fs.readFileSync(path.join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
  );
  const runs: Run[] = [];
  const feeds: Record<string, { rows: number; perSecond: number }> = {};

  // One SQLite collector.
  {
    const core = makeTestCore();
    const { secret } = await core.call('channels.add', { phoneNumberId: CHANNEL });
    const { token } = await core.call('collector.tokens.create', {});
    await core.host.close();
    const p = await startCollectorProcess(core.dataDir, '');
    procs.push(p);
    runs.push(await load('1 SQLite collector', [p.base], secret, [p.child.pid!], null, 0));
    feeds.sqlite = await feedRate(p.base, token);
    p.child.kill('SIGTERM');
    await p.exited;
  }

  // PostgreSQL: one collector, then two, each on a fresh database.
  for (const count of [1, 2]) {
    const url = await cluster.createDatabase();
    const store = openPgStore(url);
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
    const { token } = await createTokenPg(store, 'default', 'bench');
    await store.close();
    const ps = await Promise.all(Array.from({ length: count }, () => startCollectorProcess(tempDir(), url)));
    procs.push(...ps);
    const name = `${count} PostgreSQL collector${count > 1 ? 's' : ''}`;
    runs.push(
      await load(
        name,
        ps.map((p) => p.base),
        secret,
        ps.map((p) => p.child.pid!),
        postmaster,
        0,
      ),
    );
    if (count === 1) feeds.postgres = await feedRate(ps[0]!.base, token);
    for (const p of ps) p.child.kill('SIGTERM');
    await Promise.all(ps.map((p) => p.exited));
  }

  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(
    `\nbench:collector — ${N} deliveries per set-up, ${CLIENTS} concurrent clients, ${os.availableParallelism()} cores (shared: figures are noisy)\n`,
  );
  const base = runs[0]!.perSecond;
  for (const r of runs) {
    const cpu = r.cpuPerDelivery.map((c) => `${(c * 1000).toFixed(2)} ms`).join(' + ');
    const pgCpu = `${r.pgCpuPerDelivery === null ? '' : `, PostgreSQL ${(r.pgCpuPerDelivery * 1000).toFixed(2)} ms`}, clients ${(r.clientCpuPerDelivery * 1000).toFixed(2)} ms`;
    console.log(
      `${r.name.padEnd(26)} ${r.perSecond.toFixed(0).padStart(6)} deliveries/s (×${(r.perSecond / base).toFixed(2)})  p50 ${ms(r.p50)}  p99 ${ms(r.p99)}  CPU per delivery: collector ${cpu}${pgCpu}`,
    );
  }
  for (const [k, f] of Object.entries(feeds))
    console.log(`feed to a desktop (${k}): ${f.rows} payloads at ${f.perSecond.toFixed(0)} rows/s`);

  // N collector machines of one core each in front of one PostgreSQL server with C cores: each
  // collector handles 1 / (its CPU per delivery) deliveries/s; PostgreSQL caps the sum at C / (its CPU
  // per delivery). Network and disk waits (fsync is on here, but the disk is this machine's) are not in this estimate.
  const two = runs[2]!;
  const collectorCpu = two.cpuPerDelivery.reduce((a, b) => a + b, 0) / two.cpuPerDelivery.length;
  const pgCpu = two.pgCpuPerDelivery!;
  console.log('\nPrediction (CPU only; one core per collector machine):');
  for (const machines of [1, 2, 4, 8]) {
    const collectors = machines / collectorCpu;
    const pgCap = (c: number) => c / pgCpu;
    console.log(
      `  ${machines} collector machine(s): ≈${Math.min(collectors, pgCap(4)).toFixed(0)} deliveries/s with a 4-core PostgreSQL (collectors alone ≈${collectors.toFixed(0)}/s, 4-core PostgreSQL cap ≈${pgCap(4).toFixed(0)}/s)`,
    );
  }
} finally {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  cluster.destroy();
}
