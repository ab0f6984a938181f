import { Command } from 'commander';
import { registerAppCommands } from './commands/app';
import { registerCollectorCommands, registerDialog360Commands } from './commands/collector';
import { registerConversionsCommands } from './commands/conversions';
import { registerDeliveryCommand } from './commands/delivery';
import { registerIngestCommands } from './commands/ingest';
import { registerMetaCommands } from './commands/meta';
import { registerOverviewCommand } from './commands/overview';
import { registerReportCommands } from './commands/report';
import { registerServeCommand } from './commands/serve';
import { registerSpendCommands } from './commands/spend';
import { reportFailure, VERSION } from './runtime';

export function buildProgram(): Command {
  const program = new Command()
    .name('insights')
    .description('Insights Desktop: which sources bring WhatsApp conversations that convert')
    .version(VERSION)
    .option('--data-dir <dir>', 'data folder (default: INSIGHTS_DATA_DIR or the per-user app folder)')
    .option('--workspace <name>', 'workspace inside the data folder', 'default')
    .option(
      '--database <url>',
      "the collector's PostgreSQL (postgres://…; default INSIGHTS_DATABASE_URL): serve stores there, and channels, keys and collector tokens are managed there",
    )
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(`insights: ${str.replace(/^error: /, '')}`) });
  registerAppCommands(program);
  registerOverviewCommand(program);
  registerServeCommand(program);
  registerIngestCommands(program);
  registerDialog360Commands(program);
  registerCollectorCommands(program);
  registerMetaCommands(program);
  registerConversionsCommands(program);
  registerReportCommands(program);
  registerSpendCommands(program);
  registerDeliveryCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    reportFailure(err);
  }
}
