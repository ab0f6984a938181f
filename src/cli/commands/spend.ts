import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ApiError } from '../../shared/contract/errors';
import { callCore, formatOption, printJson, type TableOrJson } from '../runtime';

/** `insights spend import FILE`: daily spend of any source from a CSV (docs/metrics.md, "Imported spend"). */
export function registerSpendCommands(program: Command): void {
  const spend = program
    .command('spend')
    .description('Spend of sources Meta does not sync (Google, TikTok, flyers)');
  spend
    .command('import <file>')
    .description(
      'Import a CSV of date,source_id,amount,currency[,note] in one go: a bad line imports nothing; the same file twice changes nothing',
    )
    .option(...formatOption)
    .action(async (file: string, o: TableOrJson, cmd: Command) => {
      let csv: string;
      try {
        csv = fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new ApiError('invalid_argument', `Cannot read ${file}: ${(err as Error).message}`, 'file');
      }
      const r = await callCore(cmd, 'spend.import', { csv, fileName: path.basename(file) });
      if (r.errors.length > 0) process.exitCode = 1;
      if (o.format === 'json') {
        printJson(r);
        return;
      }
      if (r.errors.length > 0) {
        for (const e of r.errors) process.stderr.write(`${file}:${e.line}: ${e.reason}\n`);
        process.stderr.write('Nothing was imported: fix these lines and import the file again.\n');
        return;
      }
      const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
      process.stdout.write(
        `Imported ${count(r.lines, 'line')} for ${count(r.sources.length, 'source')}, ${r.from} – ${r.to}: ` +
          `${count(r.added, 'day')} added, ${r.replaced} replaced, ${r.unchanged} unchanged.\n`,
      );
    });
}
