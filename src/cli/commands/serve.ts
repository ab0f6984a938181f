import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError } from 'commander';
import { startCollectorScheduler } from '../../core/collector/scheduler';
import { SERVING_ENV } from '../../core/conversions/handlers';
import { startConversionsScheduler } from '../../core/conversions/schedule';
import { CoreHost, type CoreHostOptions, SHUTDOWN_DEADLINE_MS } from '../../core/host/host';
import type { PgCollector } from '../../core/pg/collector';
import { conversionsJob, sendingWorkspaces } from '../../core/pg/conversions-owner';
import { databaseUrl, describeDatabase } from '../../core/pg/database-url';
import { postgresHealth } from '../../core/pg/health';
import { type OwnerEvent, type OwnerRunner, startOwnerRunner } from '../../core/pg/owner-work';
import { retentionJob } from '../../core/pg/retention';
import { openServingPgCollector } from '../../core/pg/serving-store';
import { honourSqliteCursors } from '../../core/pg/sqlite-cursor';
import { pgWorkspaces } from '../../core/pg/workspaces';
import { JsonPrefsStore } from '../../core/prefs/prefs-store';
import { FileSecretStore } from '../../core/secrets/file-secret-store';
import { DEFAULT_BODY_LIMIT, startServer } from '../../core/server/server';
import { openInBrowser } from '../open-browser';
import { globals, parseIntOption, VERSION } from '../runtime';

/** Paths of the built bundle: out/cli/index.js sits beside out/core/worker.js and out/renderer/. */
export function builtPaths(): { worker: string; renderer: string } {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return { worker: path.join(here, '..', 'core', 'worker.js'), renderer: path.join(here, '..', 'renderer') };
}

export interface ServeOptions {
  port: number;
  host: string;
  open: boolean;
  token?: string;
  bodyLimit: number;
  /** How often conversions to Meta are sent (default every minute); tests make it shorter. */
  sendEveryMs?: number;
  /** postgres://… : the receivers store in PostgreSQL (default INSIGHTS_DATABASE_URL; neither: SQLite). */
  database?: string | undefined;
  /** pino level of the request log on stdout (default info; silent turns it off). */
  logLevel?: string;
}

/**
 * How long a stop waits for receiver requests already in flight (a delivery mid-body, a commit) before
 * it closes the core: within SHUTDOWN_DEADLINE_MS together with the core's own close grace.
 */
export const DRAIN_MS = 2000;

export async function serve(
  dataDir: string,
  opts: ServeOptions,
  /** The lane workers' entry; the built bundle unless a test runs them from source. */
  runner: CoreHostOptions['runner'] = { kind: 'worker', file: builtPaths().worker },
): Promise<{ url: string; database: string; close(): Promise<void> }> {
  const paths = builtPaths();
  const pgUrl = databaseUrl(opts.database);
  // This process runs around the clock and sends conversions itself (its lane workers inherit the flag).
  process.env[SERVING_ENV] = '1';
  const secrets = new FileSecretStore(path.join(dataDir, 'secrets.json'));
  const host = new CoreHost({
    dataDir,
    mode: 'browser',
    version: VERSION,
    secrets,
    prefs: new JsonPrefsStore(path.join(dataDir, 'preferences.json')),
    runner,
  });
  // With --database the receivers store in PostgreSQL (migrated first; a diverged schema stops the start).
  let receivers: PgCollector | undefined;
  try {
    receivers = pgUrl ? await openServingPgCollector(pgUrl, secrets, host) : undefined;
  } catch (err) {
    await host.close();
    throw err;
  }
  const token = opts.token ?? process.env.INSIGHTS_API_TOKEN ?? randomBytes(18).toString('base64url');
  const server = await startServer({
    host,
    // Desktops that synced from the SQLite collector this one replaced keep their cursor.
    ...(receivers
      ? { receivers: honourSqliteCursors(receivers), health: postgresHealth(receivers.store.pool) }
      : {}),
    listenHost: opts.host,
    port: opts.port,
    rendererDir: paths.renderer,
    apiToken: token,
    bodyLimit: opts.bodyLimit,
    log: { level: opts.logLevel ?? 'info' },
  });
  // Work that must run once per workspace (retention of raw bodies) runs on the collector process
  // holding its lease; any other takes over within 30 s if it dies (src/core/pg/lease.ts).
  const owners: OwnerRunner[] = [];
  if (pgUrl && receivers) {
    const db = receivers.store.pool;
    const log = server.app.log;
    const onEvent = (e: OwnerEvent) =>
      e.type === 'failed'
        ? log.warn({ owner: e }, 'owner-only work failed')
        : log.info({ owner: e }, `lease ${e.type}`);
    owners.push(
      startOwnerRunner({ db, jobs: [retentionJob(db)], workspaces: () => pgWorkspaces(db), onEvent }),
    );
    // Conversions to Meta: only processes whose data folder can send a workspace's conversions contend
    // for its lease (src/core/pg/conversions-owner.ts).
    const job = conversionsJob(host, pgUrl, opts.sendEveryMs ?? 60_000, (workspace, r) =>
      log.info({ conversions: { workspace, ...r } }, 'conversions round'),
    );
    owners.push(
      startOwnerRunner({ db, jobs: [job], workspaces: () => sendingWorkspaces(host, db), onEvent }),
    );
  }
  // Workspaces connected to a collector pull from it periodically while this process runs.
  const scheduler = startCollectorScheduler(host);
  // Workspaces that send conversions to Meta (and no collector sends for them) send every minute; on
  // PostgreSQL the lease holder sends instead (above): the data folder's workspaces are its copies.
  const conversions = receivers
    ? undefined
    : startConversionsScheduler(host, opts.sendEveryMs === undefined ? {} : { everyMs: opts.sendEveryMs });
  const base = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${server.port}`;
  // The token travels in the fragment: never sent to a server, never in a log line of ours.
  const url = `${base}/#token=${token}`;
  return {
    url,
    database: pgUrl ? describeDatabase(pgUrl) : 'SQLite (the data folder)',
    close: async () => {
      scheduler.stop();
      conversions?.stop();
      // No new connection from here on (a balancer sends the next delivery to another process, or
      // 360dialog retries it); requests on open keep-alive connections get 503
      // (https://fastify.dev/docs/latest/Reference/Server/#return503onclosing).
      const closed = server.close();
      // Deliveries already in flight finish first: each gets its 200 after its commit. Meanwhile the
      // owner-only work stops and its leases are given up, for another process to take at once.
      await Promise.all([server.drained(DRAIN_MS), ...owners.map((o) => o.stop())]);
      // Then side by side: the server waits for the remaining open requests (/api calls), which the
      // host answers as it cancels the running jobs. The pool closes once the server has answered them.
      await Promise.all([closed.then(() => receivers?.close()), host.close()]);
    },
  };
}

/** SIGINT/SIGTERM close the server and the core, within SHUTDOWN_DEADLINE_MS; a second signal exits at once. */
export function exitOnSignals(
  running: { close(): Promise<void> },
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return exit(1);
    stopping = true;
    setTimeout(() => exit(1), SHUTDOWN_DEADLINE_MS).unref();
    running.close().then(
      () => exit(0),
      () => exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function sendEvery(value: string): number {
  const n = parseIntOption(value);
  if (n < 10 || n > 86_400) throw new InvalidArgumentError('a number of seconds from 10 to 86400');
  return n;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(value: string): string {
  if (!LOG_LEVELS.includes(value)) throw new InvalidArgumentError(`one of ${LOG_LEVELS.join(', ')}`);
  return value;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Browser mode and the receivers: the HTTP API, the dashboard, webhooks and external events')
    .option('--port <n>', 'port (0 picks a free one)', parseIntOption, 4319)
    .option('--host <host>', 'address to bind; use 0.0.0.0 to expose the receivers', '127.0.0.1')
    .option('--no-open', 'do not open a browser')
    .option('--token <token>', 'API token for the dashboard (default: random, or INSIGHTS_API_TOKEN)')
    .option('--body-limit <bytes>', 'largest accepted request body', parseIntOption, DEFAULT_BODY_LIMIT)
    .option('--send-every <seconds>', 'how often conversions to Meta are sent (10 to 86400)', sendEvery, 60)
    .option('--log-level <level>', 'request log on stdout: info, warn, error or silent', logLevel, 'info')
    .action(async (opts: ServeOptions & { sendEvery: number }, cmd: Command) => {
      const { dataDir, database } = globals(cmd);
      const running = await serve(dataDir, { ...opts, database, sendEveryMs: opts.sendEvery * 1000 });
      process.stdout.write(
        `Insights Desktop (browser mode) on ${running.url}\nData folder: ${dataDir}\nReceivers store in: ${running.database}\n`,
      );
      if (opts.open) openInBrowser(running.url);
      exitOnSignals(running);
    });
}
