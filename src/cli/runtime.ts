import path from 'node:path';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { allHandlers, internalHandlers } from '../core/entry/handlers';
import { CoreHost } from '../core/host/host';
import { callPg, isPgMethod } from '../core/pg/calls';
import { databaseUrl } from '../core/pg/database-url';
import { migratePg } from '../core/pg/migrate';
import { pgMigrations } from '../core/pg/migrations';
import { openPgStore } from '../core/pg/pool';
import { JsonPrefsStore } from '../core/prefs/prefs-store';
import { FileSecretStore } from '../core/secrets/file-secret-store';
import { DEFAULT_WORKSPACE, resolveDataDir } from '../core/workspace/workspaces';
import type { CoreEvent, MethodName, ResultOf } from '../shared/contract';
import { ApiError } from '../shared/contract/errors';
import { guardCursor } from './cursor-guard';

export const VERSION = '0.1.0';

export interface GlobalOptions {
  dataDir?: string;
  workspace?: string;
  database?: string;
}

/** The options every command inherits (`--data-dir`, `--workspace`, `--database`). */
export function globals(cmd: Command): { dataDir: string; workspace: string; database: string | undefined } {
  const o = cmd.optsWithGlobals() as GlobalOptions;
  return {
    dataDir: resolveDataDir(o.dataDir),
    workspace: o.workspace ?? DEFAULT_WORKSPACE,
    database: o.database,
  };
}

/**
 * With --database (or INSIGHTS_DATABASE_URL), what a PostgreSQL collector serves (channels, API keys,
 * read tokens, the 360dialog base URL) is managed in PostgreSQL; secrets this machine uses itself go to
 * its own secret store. Other methods run on the data folder as always.
 */
async function callPgIfManagedThere(
  g: ReturnType<typeof globals>,
  method: MethodName,
  workspace: string,
  args: unknown,
): Promise<{ value: unknown } | null> {
  const url = databaseUrl(g.database);
  if (!url || !isPgMethod(method)) return null;
  const store = openPgStore(url, { max: 1 });
  try {
    await migratePg(store, pgMigrations);
    const secrets = new FileSecretStore(path.join(g.dataDir, 'secrets.json'));
    return { value: await callPg(store, secrets, method, workspace, args) };
  } finally {
    await store.close();
  }
}

/** The CLI runs the core inline: one process, one command, no worker threads needed. */
export function createCliHost(dataDir: string): CoreHost {
  return new CoreHost({
    dataDir,
    mode: 'browser',
    version: VERSION,
    secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')),
    prefs: new JsonPrefsStore(path.join(dataDir, 'preferences.json')),
    runner: { kind: 'inline', handlers: allHandlers, internal: internalHandlers },
  });
}

/** Runs one contract call for a command, with a progress bar on a TTY when the call is a job. */
export async function callCore<M extends MethodName>(
  cmd: Command,
  method: M,
  args: unknown,
  opts: { progress?: boolean; workspace?: string } = {},
): Promise<ResultOf<M>> {
  const g = globals(cmd);
  const inPg = await callPgIfManagedThere(g, method, opts.workspace ?? g.workspace, args);
  if (inPg) return inPg.value as ResultOf<M>;
  const host = createCliHost(g.dataDir);
  let bar: cliProgress.SingleBar | undefined;
  let unguard: (() => void) | undefined;
  const off = host.onEvent((e: CoreEvent) => {
    if (!opts.progress || e.type !== 'job') return;
    if (!process.stderr.isTTY) return;
    if (!bar) {
      bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: ' {bar} {percentage}% | {detail}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      unguard = guardCursor(process.stderr);
      bar.start(100, 0, { detail: '' });
    }
    bar.update(Math.round((e.job.progress ?? 0) * 100), { detail: e.job.detail ?? '' });
  });
  try {
    return await host.call(method, opts.workspace ?? g.workspace, args);
  } finally {
    bar?.stop();
    unguard?.();
    off();
    await host.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Fixed-width table for terminals. */
export function printTable(rows: Record<string, unknown>[], columns?: string[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cols = columns ?? Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '—' : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(cols)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(cols.map((c) => cell(r[c])))}\n`);
}

export function parseIntOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** `--format table|json`, shared by every command that lists rows. */
export type TableOrJson = { format: 'table' | 'json' };
export const formatOption = [
  '--format <f>',
  'table or json',
  parseFormat(['table', 'json'] as const),
  'table',
] as const;

/** Rows as a terminal table, or as JSON for scripts. */
export function printRows(
  format: TableOrJson['format'],
  rows: Record<string, unknown>[],
  columns: string[],
): void {
  if (format === 'json') printJson(rows);
  else printTable(rows, columns);
}

/** `<group> list`: a contract call without arguments whose result is a list of rows. */
export function addListCommand(
  group: Command,
  description: string,
  method: MethodName,
  columns: string[],
): void {
  group
    .command('list')
    .description(description)
    .option(...formatOption)
    .action(async (opts: TableOrJson, cmd: Command) => {
      printRows(opts.format, (await callCore(cmd, method, {})) as Record<string, unknown>[], columns);
    });
}

export function parseFormat<T extends string>(allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value))
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
    return value as T;
  };
}

/** Turns any failure into one clear line on stderr and a non-zero exit code. */
export function reportFailure(err: unknown): never {
  if (err instanceof ApiError) process.stderr.write(`insights: ${err.message}\n`);
  else if (err instanceof Error) process.stderr.write(`insights: ${err.message}\n`);
  else process.stderr.write(`insights: ${String(err)}\n`);
  process.exit(err instanceof ApiError && err.code === 'invalid_argument' ? 2 : 1);
}
