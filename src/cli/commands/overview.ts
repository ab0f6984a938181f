import { type Command, Option } from 'commander';
import { CompareTo } from '../../shared/contract/report';
import { OVERVIEW_COLUMNS, overviewCsv, overviewLines } from '../../shared/overview-csv';
import { callCore, printJson, printTable } from '../runtime';
import { rangeOf } from './report';

// `insights overview`: every workspace of the data folder over a range (docs/metrics.md "Agency overview").

export function registerOverviewCommand(program: Command): void {
  program
    .command('overview')
    .description(
      'Every workspace (client) of the data folder over a range: counts, money per currency, changes',
    )
    .option('--range <preset>', '7d, 14d, 30d, 6m, 12m, this-month, last-month or this-year')
    .option('--from <date>', 'first day, YYYY-MM-DD (with --to)')
    .option('--to <date>', 'last day, YYYY-MM-DD (inclusive)')
    .option('--tz <zone>', "IANA time zone of the range (default: each workspace's timezone setting)")
    .addOption(
      new Option('--compare <what>', 'previous period, the same dates a year back, or none')
        .choices(CompareTo.options)
        .default('previous'),
    )
    .addOption(
      new Option('--format <f>', 'table, json or csv').choices(['table', 'json', 'csv']).default('table'),
    )
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
