import type { Command } from 'commander';
import { callCore, formatOption, printJson, printTable } from '../runtime';
import { pct, rangeOf, type ScopeOptions, scopeOptions } from './report';

/** `insights delivery`: template campaigns' delivery over a range (docs/metrics.md, "Template delivery"). */
export function registerDeliveryCommand(program: Command): void {
  scopeOptions(
    program
      .command('delivery')
      .description(
        'Template campaigns: sent, delivered, read, failed (top errors), replied and billable sends',
      ),
  )
    .option('--source <id>', 'one template source (tpl:<name>), with its series')
    .option(...formatOption)
    .action(async (o: ScopeOptions & { source?: string; format: 'table' | 'json' }, cmd: Command) => {
      const r = await callCore(cmd, 'sources.delivery', {
        phone: o.phone,
        range: rangeOf(o),
        ...(o.tz ? { timezone: o.tz } : {}),
        ...(o.source ? { source: o.source } : {}),
      });
      if (o.format === 'json') {
        printJson(r);
        return;
      }
      printTable(
        r.templates.map((t) => ({
          template: t.template,
          sent: t.sent,
          delivered: `${t.delivered} (${pct(t.deliveredRate)})`,
          read: `${t.read} (${pct(t.readRate)})`,
          failed: t.failed,
          replied: `${t.replied} (${pct(t.replyRate)})`,
          billable: t.billable,
          'top errors': t.errors.map((e) => `${e.code}×${e.messages}`).join(' ') || null,
        })),
      );
    });
}
