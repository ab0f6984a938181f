import type { Command } from 'commander';
import type { CompareTo } from '../../shared/contract/report';
import { OVERVIEW_COLUMNS, overviewCsv, overviewLines } from '../../shared/overview-csv';
import { callCore, printJson, printTable } from '../runtime';
import { compareOption, PRESET_LIST, rangeOf, tableJsonCsvOption } from './report';

// `insights overview`: every workspace of the data folder over a range (docs/metrics.md "Agency overview").

export function registerOverviewCommand(program: Command): void {
  program
    .command('overview')
    .description(
      'Every workspace (client) of the data folder over a range: counts, money per currency, changes',
    )
    .option('--range <preset>', PRESET_LIST)
    .option('--from <date>', 'first day, YYYY-MM-DD (with --to)')
    .option('--to <date>', 'last day, YYYY-MM-DD (inclusive)')
    .option('--tz <zone>', "IANA time zone of the range (default: each workspace's timezone setting)")
    .addOption(compareOption())
    .addOption(tableJsonCsvOption())
    .action(
      async (
        o: { range?: string; from?: string; to?: string; tz?: string; compare: CompareTo; format: string },
        cmd: Command,
      ) => {
        const r = await callCore(cmd, 'overview.get', {
          range: rangeOf(o),
          compare: o.compare,
          ...(o.tz ? { timezone: o.tz } : {}),
        });
        if (o.format === 'json') printJson(r);
        else if (o.format === 'csv') process.stdout.write(overviewCsv(r.workspaces));
        else
          printTable(
            overviewLines(r.workspaces).map((line) =>
              Object.fromEntries(OVERVIEW_COLUMNS.map((c, i) => [c, line[i] ?? ''])),
            ),
          );
      },
    );
}
