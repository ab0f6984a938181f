import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'vitest';

// A throwaway PostgreSQL cluster for tests: initdb into a fresh folder, pg_ctl start on a free port of
// 127.0.0.1 (no TCP beyond loopback, the socket in the cluster's own folder), trust authentication
// because nothing but this machine can reach it. Debian's packages put the binaries under
// /usr/lib/postgresql/<version>/bin (https://wiki.debian.org/PostgreSql), outside PATH.
// initdb refuses to run as root (https://www.postgresql.org/docs/current/app-initdb.html), so as
// root the cluster is made and run by the `postgres` account the package creates.

function findBinDir(): string | null {
  // INSIGHTS_PG_BIN picks the binaries; pointing it at a folder without them shows the skipped path.
  const fromEnv = process.env.INSIGHTS_PG_BIN;
  if (fromEnv) return fs.existsSync(path.join(fromEnv, 'initdb')) ? fromEnv : null;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(root, versions[0], 'bin');
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const found = which.status === 0 ? which.stdout.trim() : '';
  return found ? path.dirname(found) : null;
}

const binDir = findBinDir();
const asRoot = process.getuid?.() === 0;
const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((f) => fs.existsSync(f));
const runAsPostgres = asRoot && !!runuser && spawnSync('id', ['postgres']).status === 0;

/** Why PostgreSQL tests cannot run here, or null when they can. */
export const noPostgresReason: string | null = !binDir
  ? 'no PostgreSQL binaries (apt-get install -y postgresql)'
  : asRoot && !runAsPostgres
    ? 'running as root without a `postgres` account and runuser to run the cluster'
    : null;

function run(bin: string, args: string[]): string {
  const file = path.join(binDir!, bin);
  const [cmd, argv] = runAsPostgres ? [runuser!, ['-u', 'postgres', '--', file, ...args]] : [file, args];
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface PgCluster {
  port: number;
  dir: string;
  /** A connection URL to `database` (default: the maintenance database `postgres`) as the superuser. */
  url(database?: string): string;
  /** A new, empty database on this cluster; its URL. */
  createDatabase(): Promise<string>;
  /** pg_ctl stop -m fast: connections are cut, as when the server goes down. */
  stop(): void;
  /** Starts it again on the same port after stop(). */
  start(): void;
  /** Stops the cluster and deletes its folder. */
  destroy(): void;
}

let dbCounter = 0;

/**
 * `durable`: commits wait for the disk as in production (fsync on, the default of PostgreSQL); tests leave
 * it off for speed, benchmarks that compare with SQLite's synced commits turn it on.
 */
export async function startCluster(opts: { durable?: boolean } = {}): Promise<PgCluster> {
  if (noPostgresReason) throw new Error(`PostgreSQL unavailable: ${noPostgresReason}`);
  // Not under the test run's TMPDIR: that folder is private to this user, and as root the cluster
  // belongs to `postgres`, which must be able to reach its own folder.
  const dir = fs.mkdtempSync('/tmp/insights-pg-');
  fs.chmodSync(dir, 0o755);
  if (runAsPostgres) execFileSync('chown', ['postgres:postgres', dir]);
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} ${opts.durable ? '' : '-c fsync=off '}-c max_connections=200`;
  const start = () =>
    run('pg_ctl', ['-D', data, '-o', options, '-w', '-t', '60', '-l', path.join(dir, 'log'), 'start']);
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  start();
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    dir,
    url,
    async createDatabase() {
      const name = `t_${process.pid}_${++dbCounter}_${Date.now().toString(36)}`;
      run('psql', [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-qc',
        `CREATE DATABASE ${name}`,
      ]);
      return url(name);
    },
    stop,
    start,
    destroy() {
      try {
        stop();
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * describe() for tests that need PostgreSQL. Where it is missing they are skipped with the reason in
 * their name ("skipped: no PostgreSQL …"), never passed silently; in CI (CI=true) a missing
 * PostgreSQL fails instead, so CI always runs them.
 */
export function describePostgres(name: string, body: () => void): void {
  if (!noPostgresReason) {
    describe(name, () => body());
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs PostgreSQL, which CI must provide', () => {
        throw new Error(`PostgreSQL unavailable in CI: ${noPostgresReason}`);
      });
    });
  } else {
    console.warn(`${name}: skipped: no PostgreSQL (${noPostgresReason})`);
    describe.skip(`${name} — skipped: no PostgreSQL (${noPostgresReason})`, () => body());
  }
}
