import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { migratePg } from '../../core/pg/migrate';
import { pgMigrations } from '../../core/pg/migrations';
import { openPgStore } from '../../core/pg/pool';
import { importSqliteCollector } from '../../core/pg/sqlite-import';
import { listWorkspaces } from '../../core/workspace/workspaces';
import { ApiError } from '../../shared/contract/errors';
import { printJson } from '../runtime';

const KIND_NAMES = { p: 'payloads', e: 'events', o: 'outgoing', x: 'erasures', q: 'quarantined' } as const;

/** `insights collector migrate --from <data folder> --to postgres://…` (docs/collector.md, "Moving to PostgreSQL"). */
export function registerCollectorMigrate(collector: Command): void {
  collector
    .command('migrate')
    .description(
      'Copy a SQLite collector (its data folder) into PostgreSQL; resumable and safe to run again; desktops keep their cursor',
    )
    .requiredOption('--from <dir>', "the SQLite collector's data folder, e.g. /var/lib/insights")
    .option('--to <url>', 'postgres://user@host/database (default INSIGHTS_DATABASE_URL)')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { from: string; to?: string; json?: boolean }) => {
      const url = opts.to ?? process.env.INSIGHTS_DATABASE_URL;
      if (!url || !/^postgres(ql)?:\/\//.test(url))
        throw new ApiError(
          'invalid_argument',
          '--to: a PostgreSQL URL such as postgres://insights@127.0.0.1/insights',
          'to',
        );
      const from = path.resolve(opts.from);
      if (!fs.existsSync(from) || listWorkspaces(from).length === 0)
        throw new ApiError('invalid_argument', `--from: no Insights workspaces in ${from}`, 'from');
      const store = openPgStore(url, { max: 2 });
      try {
        await migratePg(store, pgMigrations);
        const results = await importSqliteCollector(store, from, (ws, kind, rows) => {
          if (process.stderr.isTTY) process.stderr.write(`\r${ws}: ${rows} ${KIND_NAMES[kind]} read…   `);
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        if (opts.json) return printJson(results);
        for (const r of results) {
          const copied = (Object.keys(KIND_NAMES) as (keyof typeof KIND_NAMES)[])
            .map((k) => `${r.copied[k]} ${KIND_NAMES[k]}`)
            .join(', ');
          process.stdout.write(
            `${r.workspace}: copied ${copied}; ${r.channels} channels, ${r.apiKeys} API keys, ${r.readTokens} read tokens, ${r.settings} settings, ${r.outbox} conversions outbox entries\n`,
          );
          if (r.channelConflicts.length > 0)
            process.stdout.write(
              `${r.workspace}: not moved, already in another workspace of the database: channels ${r.channelConflicts.join(', ')}\n`,
            );
        }
        process.stdout.write(
          `Done. Run it again after the SQLite collector has stopped to copy what arrived meanwhile.\nChannel API keys (for the send proxy) stay in ${path.join(from, 'secrets.json')}: copy that file to each collector's data folder.\n`,
        );
      } finally {
        await store.close();
      }
    });
}
