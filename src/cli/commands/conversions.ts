import { type Command, InvalidArgumentError } from 'commander';
import {
  ACCEPTED_META_EVENT_NAMES,
  type ConversionDataset,
  type ConversionSettings,
  type ConversionStatus,
  type OutboxCounts,
  OutboxState,
} from '../../shared/contract/conversions';
import { ApiError } from '../../shared/contract/errors';
import {
  callCore,
  formatOption,
  parseFormat,
  parseIntOption,
  printJson,
  printRows,
  type TableOrJson,
} from '../runtime';

// `insights conversions …`: conversions to Meta (Conversions API for Business Messaging), see
// docs/conversions-api.md. Every command is one or two contract calls (`conversions.*`); the words here
// are for a marketer, the JSON (`--format json`) for scripts.

type TextOrJson = { format: 'text' | 'json' };
const textFormat = ['--format <f>', 'text or json', parseFormat(['text', 'json'] as const), 'text'] as const;

const STATE_WORDS: Record<OutboxState, string> = {
  pending: 'pending',
  sent: 'sent',
  failed: 'failed (retrying)',
  rejected: 'rejected by Meta',
  expired: 'expired (older than 7 days)',
  not_sendable: 'not sendable',
  withdrawn: 'withdrawn',
};

/** The counts in the order a marketer reads them; withdrawn only when there are some. */
function countLines(c: OutboxCounts): string {
  const rows: [string, number][] = [
    ['Pending', c.pending],
    ['Sent', c.sent],
    ['Failed (retrying)', c.failed],
    ['Rejected by Meta', c.rejected],
    ['Expired (older than 7 days)', c.expired],
    ['Not sendable', c.notSendable],
  ];
  if (c.withdrawn) rows.push(['Withdrawn', c.withdrawn]);
  return rows.map(([k, v]) => `  ${k.padEnd(28)} ${v}\n`).join('');
}

/** An ISO time as a person reads it: 2026-12-04 08:45 UTC (JSON keeps the ISO time). */
const when = (iso: string | null) =>
  iso === null ? null : iso.replace(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}).*$/, '$1 $2 UTC');

/** `--state not-sendable` and `not_sendable` both work; anything else is named in words. */
function parseState(value: string): OutboxState {
  const state = OutboxState.safeParse(value.trim().toLowerCase().replace(/[- ]/g, '_'));
  if (!state.success) throw new InvalidArgumentError(`a state is one of ${OutboxState.options.join(', ')}`);
  return state.data;
}

function printMappings(s: ConversionSettings, format: 'table' | 'json'): void {
  if (format === 'json') {
    printJson(s.mappings);
    return;
  }
  if (s.mappings.length === 0) {
    process.stdout.write('No conversion event is sent to Meta yet.\n');
    if (s.suggested.length) {
      process.stdout.write('Suggested:\n');
      for (const m of s.suggested)
        process.stdout.write(
          `  insights conversions map '${m.eventId}' ${m.metaEvent}${m.value ? ' --value' : ''}\n`,
        );
    }
    return;
  }
  printRows(
    'table',
    s.mappings.map((m) => ({
      event: m.eventId,
      label: m.label,
      'sent to Meta as': m.metaEvent,
      value: m.value ? 'with revenue' : '',
    })),
    ['event', 'label', 'sent to Meta as', 'value'],
  );
}

function printDataset(d: ConversionDataset): void {
  const number = d.displayNumber ? `${d.displayNumber} (${d.phoneNumberId})` : d.phoneNumberId;
  process.stdout.write(
    [
      `Number:                      ${number}`,
      `WhatsApp Business Account:   ${d.wabaId ?? 'unknown — give it with --waba <WABA_ID>'}`,
      `Dataset:                     ${d.datasetId ?? 'none yet — add --create to create it in Meta'}`,
    ]
      .map((l) => `${l}\n`)
      .join(''),
  );
}

function senderWords(s: ConversionSettings['sender']): string {
  if (s.kind === 'collector') return `the collector${s.collectorUrl ? ` at ${s.collectorUrl}` : ''}`;
  return s.serving
    ? 'this installation (insights serve runs: it sends around the clock)'
    : 'this installation, while the app or insights serve runs — events older than 7 days expire';
}

function printStatus(s: ConversionStatus): void {
  process.stdout.write(
    `Sending to Meta:  ${s.enabled ? 'on' : 'off'}\n` +
      `Sent by:          ${senderWords(s.sender)}\n` +
      `Last send:        ${when(s.lastSendAt) ?? 'never'}\n` +
      (s.needsLogin ? 'Needs login:      yes — Meta refused the login; run: insights meta connect\n' : '') +
      `Conversions${s.range ? ` ${s.range.from} … ${s.range.to}` : ''}:\n${countLines(s)}`,
  );
  if (s.lastErrors.length) {
    process.stdout.write('Last errors:\n');
    for (const e of s.lastErrors)
      process.stdout.write(`  ${when(e.at)}  ${e.message}${e.count > 1 ? ` (×${e.count})` : ''}\n`);
  } else if (s.lastError) process.stdout.write(`Last error:       ${s.lastError}\n`);
}

function printSettings(s: ConversionSettings): void {
  if (!s.enabled) {
    process.stdout.write('Sending to Meta is off. Nothing more is sent; what was sent stays sent.\n');
  } else {
    process.stdout.write(
      `Sending to Meta is on${s.sendFrom ? `: conversions from ${when(s.sendFrom)} on are sent` : ''}.\n` +
        `Sent by ${senderWords(s.sender)}.\n`,
    );
    if (s.mappings.length === 0)
      process.stdout.write(
        'No conversion event is mapped yet: insights conversions map <event-id> <MetaEventName>\n',
      );
  }
  if (s.testEventCode)
    process.stdout.write(`Test event code ${s.testEventCode}: events go to Events Manager → Test events.\n`);
  else if (s.enabled) process.stdout.write('No test event code: events count in Ads Manager.\n');
}

export function registerConversionsCommands(program: Command): void {
  const conversions = program
    .command('conversions')
    .description('Send the leads and purchases of Click-to-WhatsApp ads to Meta (Conversions API)');

  conversions
    .command('map [event-id] [meta-event]')
    .description(
      'Send a conversion event (as `insights events` lists it: ext:Purchase, button:Book now …) to Meta under ' +
        'a Meta event name: Purchase, LeadSubmitted, InitiateCheckout, AddToCart, ViewContent',
    )
    .option('--value', "send the event's revenue as value and currency (purchases)")
    .option('--remove <event-id>', 'stop sending this event (what was sent stays sent)')
    .option(...formatOption)
    .action(
      async (
        eventId: string | undefined,
        metaEvent: string | undefined,
        opts: TableOrJson & { value?: boolean; remove?: string },
        cmd: Command,
      ) => {
        let s: ConversionSettings;
        if (opts.remove !== undefined) {
          if (eventId !== undefined || opts.value)
            throw new ApiError(
              'invalid_argument',
              'Give either --remove <event-id> or <event-id> <MetaEventName>',
            );
          s = await callCore(cmd, 'conversions.unmap', { eventId: opts.remove });
          if (opts.format !== 'json') process.stdout.write(`${opts.remove} is no longer sent to Meta.\n`);
        } else {
          if (eventId === undefined || metaEvent === undefined)
            throw new ApiError(
              'invalid_argument',
              'Name the event and the Meta event name, e.g. insights conversions map ext:Purchase Purchase --value',
            );
          s = await callCore(cmd, 'conversions.map', {
            eventId,
            metaEvent,
            ...(opts.value ? { value: true } : {}),
          });
          if (opts.format !== 'json')
            process.stdout.write(
              `${eventId} is sent to Meta as ${metaEvent}${opts.value ? ' with its revenue' : ''}.\n`,
            );
          // https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/custom-data (value, currency: required for Purchase)
          if (metaEvent === 'Purchase' && !opts.value)
            process.stderr.write(
              'Note: Meta requires a value and currency with Purchase events: add --value to send the revenue, or Meta refuses them.\n',
            );
          if (!(ACCEPTED_META_EVENT_NAMES as readonly string[]).includes(metaEvent))
            process.stderr.write(
              `Note: Meta lists ${metaEvent} but refuses it for most business-messaging datasets (error 2804066); ` +
                `such conversions show as rejected. Accepted: ${ACCEPTED_META_EVENT_NAMES.join(', ')}.\n`,
            );
        }
        printMappings(s, opts.format);
      },
    );

  conversions
    .command('maps')
    .description('Which conversion events are sent to Meta, under which name (or the suggestion)')
    .option(...formatOption)
    .action(async (opts: TableOrJson, cmd: Command) => {
      printMappings(await callCore(cmd, 'conversions.settings', {}), opts.format);
    });

  conversions
    .command('dataset <phone-number-id>')
    .description("Find (or with --create, create) the Meta dataset of a number's WhatsApp Business Account")
    .option(
      '--waba <WABA_ID>',
      'the WhatsApp Business Account id, for numbers whose deliveries do not carry it',
    )
    .option('--create', 'create the dataset in Meta when there is none')
    .option(...textFormat)
    .action(
      async (phoneNumberId: string, opts: TextOrJson & { waba?: string; create?: boolean }, cmd: Command) => {
        const d = await callCore(cmd, 'conversions.dataset', {
          phoneNumberId,
          ...(opts.waba ? { wabaId: opts.waba } : {}),
          ...(opts.create ? { create: true } : {}),
        });
        if (opts.format === 'json') printJson(d);
        else printDataset(d);
      },
    );

  conversions
    .command('send')
    .description('Send what is pending to Meta now and print the counts per state')
    .option('--dry-run', 'print the JSON that would be sent; send nothing, change nothing')
    .option('--test-code <code>', "send to Events Manager's Test events with this test event code")
    .option(...textFormat)
    .action(async (opts: TextOrJson & { dryRun?: boolean; testCode?: string }, cmd: Command) => {
      const r = await callCore(
        cmd,
        'conversions.send',
        {
          ...(opts.dryRun ? { dryRun: true } : {}),
          ...(opts.testCode ? { testEventCode: opts.testCode } : {}),
        },
        { progress: true },
      );
      if (opts.format === 'json') return printJson(r);
      if (r.dryRun) {
        // The requests themselves on stdout (pipeable), the summary on stderr.
        printJson(r.requests);
        process.stderr.write(
          `Dry run: ${r.sent} event(s) in ${r.requests.length} request(s) would be sent; nothing was sent.\n`,
        );
        return;
      }
      process.stdout.write(
        `${r.sent ? `Sent ${r.sent} event(s) to Meta in ${r.batches} request(s).` : 'Nothing was sent.'}\n` +
          `Conversions:\n${countLines(r.counts)}` +
          (r.lastError ? `Last error: ${r.lastError}\n` : ''),
      );
    });

  conversions
    .command('status')
    .description(
      'Counts per state (pending, sent, failed, rejected, expired, not sendable) and the last error',
    )
    .option(...textFormat)
    .action(async (opts: TextOrJson, cmd: Command) => {
      const s = await callCore(cmd, 'conversions.status', {});
      if (opts.format === 'text') return printStatus(s);
      // The shape scripts rely on (issue 16); the text output and the app show the rest.
      const { pending, sent, failed, rejected, expired, notSendable, lastError } = s;
      printJson({ pending, sent, failed, rejected, expired, notSendable, lastError });
    });

  conversions
    .command('list')
    .description(
      'The conversions to send or sent, newest first: event_id, conversation, Meta name, time, state, error',
    )
    .option('--state <state>', `only this state: ${OutboxState.options.join(', ')}`, parseState)
    .option('--limit <n>', 'at most this many entries', parseIntOption, 1000)
    .option(...formatOption)
    .action(async (opts: TableOrJson & { state?: OutboxState; limit: number }, cmd: Command) => {
      const r = await callCore(cmd, 'conversions.list', {
        ...(opts.state ? { state: opts.state } : {}),
        limit: opts.limit,
      });
      if (opts.format === 'json') return printJson(r.entries);
      printRows(
        'table',
        r.entries.map((e) => ({
          event_id: e.eventId,
          conversation: e.conversation,
          'Meta event': e.metaEvent,
          event_time: when(e.eventTime),
          state: STATE_WORDS[e.state],
          error: e.error ?? '',
        })),
        ['event_id', 'conversation', 'Meta event', 'event_time', 'state', 'error'],
      );
      if (r.total > r.entries.length)
        process.stderr.write(`Showing ${r.entries.length} of ${r.total}: raise --limit to see more.\n`);
    });

  for (const enabled of [true, false]) {
    conversions
      .command(enabled ? 'enable' : 'disable')
      .description(
        enabled
          ? 'Start sending to Meta (the first time, the conversions of the last 7 days are queued)'
          : 'Stop sending to Meta (what was sent stays sent)',
      )
      .option('--test-code <code>', 'send to Events Manager → Test events with this code ("none" removes it)')
      .option(...textFormat)
      .action(async (opts: TextOrJson & { testCode?: string }, cmd: Command) => {
        const s = await callCore(cmd, 'conversions.configure', {
          enabled,
          // `--test-code none` removes it (commander turns a parser's null into '', so it is mapped here).
          ...(opts.testCode === undefined
            ? {}
            : { testEventCode: opts.testCode === 'none' ? null : opts.testCode }),
        });
        if (opts.format === 'json') printJson(s);
        else printSettings(s);
      });
  }
}
