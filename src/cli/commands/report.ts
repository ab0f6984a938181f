import fs from 'node:fs';
import { type Command, Option } from 'commander';
import { ALL_NUMBERS_NAME, isAllNumbers } from '../../shared/all-numbers';
import { ApiError } from '../../shared/contract/errors';
import {
  AttributionModel,
  CompareTo,
  EventKind,
  type RangeInput,
  RangePreset,
  type Report,
} from '../../shared/contract/report';
import { SettingKey } from '../../shared/contract/settings';
import { sourcesCsv } from '../../shared/table-csv';
import { callCore, formatOption, parseIntOption, printJson, printTable } from '../runtime';

// `insights report|events|contacts|sources|keywords|settings` (docs/metrics.md).

export interface ScopeOptions {
  phone: string;
  range?: string;
  from?: string;
  to?: string;
  tz?: string;
}

const PRESETS = RangePreset.options;

export function rangeOf(o: { range?: string; from?: string; to?: string }): RangeInput {
  if (o.range && (o.from || o.to))
    throw new ApiError('invalid_argument', 'Use either --range or --from/--to, not both', 'range');
  if (o.range) {
    const preset = o.range.toLowerCase();
    if (!(PRESETS as readonly string[]).includes(preset)) {
      throw new ApiError('invalid_argument', `--range must be one of ${PRESETS.join(', ')}`, 'range');
    }
    return { preset: preset as RangePreset };
  }
  if (!o.from || !o.to)
    throw new ApiError('invalid_argument', 'Give --range, or both --from and --to (YYYY-MM-DD)', 'range');
  return { from: o.from, to: o.to };
}

export function scopeOptions(cmd: Command): Command {
  return cmd
    .requiredOption(
      '--phone <id|display|all>',
      'business number: phone_number_id or display number, or "all" for every number of the workspace',
    )
    .option('--range <preset>', PRESETS.join(', '))
    .option('--from <date>', 'first day, YYYY-MM-DD (with --to)')
    .option('--to <date>', 'last day, YYYY-MM-DD (inclusive)')
    .option('--tz <zone>', 'IANA time zone of the range (default: the workspace timezone setting)');
}

const money = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
/** The range presets as the CLI lists them. */
export const PRESET_LIST = PRESETS.join(', ');

/** `--compare previous|year|none`, shared by report and overview. */
export const compareOption = () =>
  new Option('--compare <what>', 'previous period, the same dates a year back, or none')
    .choices(CompareTo.options)
    .default('previous');

/** `--model conversation|first_touch|last_paid_touch`: which source each conversation counts under. */
export const modelOption = () =>
  new Option('--model <model>', 'attribution model: the source each conversation counts under')
    .choices(AttributionModel.options)
    .default('conversation');

/** `--format table|json|csv`, shared by report and overview. */
export const tableJsonCsvOption = () =>
  new Option('--format <f>', 'table, json or csv').choices(['table', 'json', 'csv']).default('table');

export const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

function printReport(r: Report): void {
  const t = r.totals;
  process.stdout.write(
    `${isAllNumbers(r.phone.id) ? ALL_NUMBERS_NAME : `${r.phone.display ?? r.phone.id}${r.phone.name ? ` (${r.phone.name})` : ''}`} · ${r.range.from} – ${r.range.to} ${r.range.timezone}\n` +
      `Event: ${r.event ? r.event.id : '(none)'}` +
      (r.model && r.model !== 'conversation' ? ` · Model: ${r.model}` : '') +
      '\n' +
      `Conversations ${t.conversations} · Contacts ${t.contacts} · Leads ${t.leads} · Converted ${pct(t.conversionRate)}` +
      ` · Invested ${money(t.invested) ?? '—'} ${t.currency} · Cost/lead ${money(t.costPerLead) ?? '—'}` +
      (t.metaConversationsStarted == null
        ? ''
        : ` · Conversations started (Meta) ${t.metaConversationsStarted}, cost each ${money(t.costPerConversationStarted ?? null) ?? '—'}`) +
      (t.revenue === null
        ? ''
        : ` · Revenue ${money(t.revenue)} · ROAS ${t.roas === null ? '—' : t.roas.toFixed(2)}`) +
      (r.paid.sources > 0
        ? `\nPaid sources only (${r.paid.sources}): cost/lead ${money(r.paid.costPerLead) ?? '—'}` +
          (r.paid.revenue === null ? '' : ` · ROAS ${r.paid.roas === null ? '—' : r.paid.roas.toFixed(2)}`)
        : '') +
      `\n${r.previous.compare === 'year' ? 'A year back' : 'Previous'} ${r.previous.range.from} – ${r.previous.range.to}` +
      (r.previous.compare === 'none'
        ? ' (not compared)'
        : r.previous.comparison === 'none'
          ? ' (no comparison: before the first conversation)'
          : r.previous.comparison === 'partial'
            ? ` (partial: data from ${r.previous.dataFrom})`
            : '') +
      `: conversations ${r.previous.conversations}, leads ${r.previous.leads}` +
      ` · Unattributed external events ${r.unattributedExternalEvents}\n\n`,
  );
  printTable(
    r.sources.map((s) => ({
      source: s.id,
      name: s.name,
      conversations: s.conversations,
      contacts: s.contacts,
      leads: s.leads,
      converted: pct(s.conversionRate),
      invested: money(s.invested),
      costPerLead: money(s.costPerLead),
      revenue: money(s.revenue),
      roas: s.roas === null ? null : s.roas.toFixed(2),
    })),
  );
  process.stdout.write('\nFunnel\n');
  printTable(
    r.funnel.map((f) => ({
      step: f.label,
      conversations: f.conversations,
      fromStart: pct(f.rateFromStart),
      fromPrevious: pct(f.rateFromPrevious),
      medianSeconds: f.medianSecondsFromStart,
    })),
  );
}

/** The dashboard's "Export table" file: every source row, then the totals row. */
function reportCsv(r: Report): string {
  const total = { ...r.totals, name: 'Total', id: '', kind: '', investedFrom: null };
  return sourcesCsv(r.sources, total, r.totals.currency);
}

export function registerReportCommands(program: Command): void {
  scopeOptions(
    program.command('report').description('Conversations, leads and money by source for a number and range'),
  )
    .option('--event <id>', 'conversion event id (default: the suggested event)')
    .option('--funnel <ids>', 'funnel steps: event ids separated by commas (up to 5)')
    .addOption(compareOption())
    .addOption(modelOption())
    .addOption(tableJsonCsvOption())
    .action(
      async (
        o: ScopeOptions & {
          event?: string;
          funnel?: string;
          compare: CompareTo;
          model: AttributionModel;
          format: 'table' | 'json' | 'csv';
        },
        cmd: Command,
      ) => {
        const r = await callCore(cmd, 'report.get', {
          phone: o.phone,
          range: rangeOf(o),
          compare: o.compare,
          model: o.model,
          ...(o.event ? { event: o.event } : {}),
          ...(o.tz ? { timezone: o.tz } : {}),
          ...(o.funnel
            ? {
                funnel: o.funnel
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean),
              }
            : {}),
        });
        if (o.format === 'json') printJson(r);
        else if (o.format === 'csv') process.stdout.write(reportCsv(r));
        else printReport(r);
      },
    );

  scopeOptions(
    program.command('events').description('Available conversion events in suggested order, with lead counts'),
  )
    .addOption(new Option('--kind <kind>', 'only this kind').choices(EventKind.options))
    .option('--search <text>', 'only events whose id or label contains this')
    .option('--limit <n>', 'at most this many', parseIntOption)
    .option(...formatOption)
    .action(
      async (
        o: ScopeOptions & {
          kind?: 'external' | 'flow' | 'button' | 'list' | 'text';
          search?: string;
          limit?: number;
          format: 'table' | 'json';
        },
        cmd: Command,
      ) => {
        const r = await callCore(cmd, 'events.list', {
          phone: o.phone,
          range: rangeOf(o),
          ...(o.tz ? { timezone: o.tz } : {}),
          ...(o.kind ? { kind: o.kind } : {}),
          ...(o.search ? { search: o.search } : {}),
          ...(o.limit ? { limit: o.limit } : {}),
        });
        if (o.format === 'json') printJson(r);
        else {
          printTable(
            r.events.map((e) => ({
              event: e.id,
              kind: e.kind,
              leads: e.leads,
              occurrences: e.occurrences,
              suggested: e.id === r.suggested ? '*' : '',
            })),
          );
        }
      },
    );

  scopeOptions(
    program
      .command('contacts')
      .description(
        'Export the leads (every contact of the range with --all) as a CSV for a CRM or a spreadsheet',
      ),
  )
    .option('--event <id>', 'conversion event id (default: the suggested event)')
    .option('--source <id>', 'only this source (text:* for the folded first messages)')
    .addOption(modelOption().default(undefined))
    .option('--all', 'every conversation of the range, not only leads')
    .requiredOption('--out <file>', 'CSV file to write')
    .action(
      async (
        o: ScopeOptions & {
          event?: string;
          source?: string;
          model?: AttributionModel;
          all?: boolean;
          out: string;
        },
        cmd: Command,
      ) => {
        const r = await callCore(cmd, 'contacts.export', {
          phone: o.phone,
          range: rangeOf(o),
          ...(o.tz ? { timezone: o.tz } : {}),
          ...(o.event ? { event: o.event } : {}),
          ...(o.source ? { source: o.source } : {}),
          // With --source: the conversations counted under it in that model (as `report --model` shows).
          ...(o.model ? { model: o.model } : {}),
          ...(o.all ? { all: true } : {}),
        });
        fs.writeFileSync(o.out, r.csv, 'utf8');
        process.stdout.write(`Wrote ${r.rows} rows to ${o.out}\n`);
      },
    );

  const sources = program.command('sources').description('Name sources and record what was invested in them');
  sources
    .command('rename <id> <name>')
    .description('Give a source a name (an empty name removes it)')
    .action(async (id: string, name: string, _o: unknown, cmd: Command) => {
      await callCore(cmd, 'sources.rename', { id, name });
      process.stdout.write(
        name.trim() ? `Renamed ${id} to "${name.trim()}".\n` : `Removed the name of ${id}.\n`,
      );
    });
  sources
    .command('invest <id> <amount>')
    .description(
      'Record an invested amount for exactly the dates --from..--to (the newest entry wins per day)',
    )
    .requiredOption('--currency <code>', 'ISO 4217 currency, e.g. USD')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD')
    .action(
      async (id: string, amount: string, o: { currency: string; from: string; to: string }, cmd: Command) => {
        const n = Number(amount);
        if (!Number.isFinite(n) || n < 0)
          throw new ApiError('invalid_argument', 'amount must be a number ≥ 0', 'amount');
        const e = await callCore(cmd, 'sources.invest', {
          id,
          amount: n,
          currency: o.currency.toUpperCase(),
          from: o.from,
          to: o.to,
        });
        process.stdout.write(
          `Saved: ${e.sourceId} ${e.amount} ${e.currency} for ${e.from} – ${e.to} (entry ${e.id}).\n`,
        );
      },
    );

  const keywords = program.command('keywords').description('Tracking keywords that name keyword sources');
  keywords
    .command('add <keyword>')
    .description('Track a keyword (re-derives sources)')
    .action(async (keyword: string, _o: unknown, cmd: Command) => {
      const r = await callCore(cmd, 'keywords.add', { keyword }, { progress: true });
      process.stdout.write(`Tracking "${r.keyword}".${r.rebuilt ? ' Sources re-derived.' : ''}\n`);
    });
  keywords
    .command('list')
    .description('Tracked keywords')
    .action(async (_o: unknown, cmd: Command) => {
      const r = await callCore(cmd, 'keywords.list', {});
      for (const k of r) process.stdout.write(`${k.keyword}\n`);
    });
  keywords
    .command('remove <keyword>')
    .description('Stop tracking a keyword (re-derives sources)')
    .action(async (keyword: string, _o: unknown, cmd: Command) => {
      const r = await callCore(cmd, 'keywords.remove', { keyword }, { progress: true });
      process.stdout.write(`No longer tracking "${r.keyword}".${r.rebuilt ? ' Sources re-derived.' : ''}\n`);
    });

  const settings = program.command('settings').description('Attribution settings of the workspace');
  settings
    .command('get [key]')
    .description('Show all settings, or one')
    .action(async (key: string | undefined, _o: unknown, cmd: Command) => {
      const s = await callCore(cmd, 'settings.get', {});
      if (key === undefined) {
        for (const [k, v] of Object.entries(s)) process.stdout.write(`${k}=${v}\n`);
        return;
      }
      if (!Object.hasOwn(s, key) || key === 'rebuildPending')
        throw new ApiError('invalid_argument', `Unknown setting "${key}"`, 'key');
      process.stdout.write(`${String(s[key as keyof typeof s])}\n`);
    });
  settings
    .command('set <key> <value>')
    .description(SettingKey.options.join(', '))
    .action(async (key: string, value: string, _o: unknown, cmd: Command) => {
      const allowed = SettingKey.options;
      if (!(allowed as readonly string[]).includes(key)) {
        throw new ApiError(
          'invalid_argument',
          `Unknown setting "${key}" (one of ${allowed.join(', ')})`,
          'key',
        );
      }
      const r = await callCore(
        cmd,
        'settings.set',
        { key: key as (typeof allowed)[number], value },
        { progress: true },
      );
      process.stdout.write(
        `${key}=${String(r[key as (typeof allowed)[number]])}${r.rebuilt ? ' (derived data rebuilt)' : ''}\n`,
      );
    });
}
