import type { Command } from 'commander';
import { DEMO_WORKSPACE } from '../../core/workspace/workspaces';
import { callCore, formatOption, parseIntOption, printJson, printTable } from '../runtime';

export function registerAppCommands(program: Command): void {
  program
    .command('demo')
    .description(
      'Rebuild the "demo" workspace: 25 months of realistic data fed through the real ingestion path',
    )
    .option('--seed <n>', 'random seed', parseIntOption, 42)
    .action(async (opts: { seed: number }, cmd: Command) => {
      const r = await callCore(
        cmd,
        'demo.build',
        { seed: opts.seed },
        { progress: true, workspace: DEMO_WORKSPACE },
      );
      process.stdout.write(
        `Demo workspace "${r.workspace}" ready: ${r.conversations} conversations, ${r.messages} messages.\n`,
      );
    });

  program
    .command('workspaces')
    .description('List the workspaces of the data folder')
    .option(...formatOption)
    .action(async (opts: { format: 'table' | 'json' }, cmd: Command) => {
      const list = await callCore(cmd, 'workspaces.list', {});
      if (opts.format === 'json') printJson(list);
      else
        printTable(
          list.map((w) => ({
            name: w.name,
            demo: w.isDemo ? 'yes' : '',
            size: w.sizeBytes,
            modified: w.modifiedAt,
          })),
        );
    });

  program
    .command('phones')
    .description('The business numbers in the workspace')
    .option(...formatOption)
    .action(async (opts: { format: 'table' | 'json' }, cmd: Command) => {
      const phones = await callCore(cmd, 'phones.list', {});
      if (opts.format === 'json') printJson(phones);
      else printTable(phones, ['id', 'display', 'name', 'firstMessageAt', 'lastMessageAt']);
    });
}
