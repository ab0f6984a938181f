import type { Command } from 'commander';
import {
  addListCommand,
  callCore,
  formatOption,
  parseIntOption,
  printJson,
  printTable,
  type TableOrJson,
} from '../runtime';
import { registerCollectorMigrate } from './collector-migrate';

/** The `channels` group may already exist (the ingestion commands add `channels add|list|remove`). */
function channelsGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'channels') ??
    program.command('channels').description('360dialog channels (phone numbers) of the workspace')
  );
}

export function registerDialog360Commands(program: Command): void {
  const channels = channelsGroup(program);

  channels
    .command('check-key <channel>')
    .description("Ask 360dialog whether the channel's stored API key is accepted")
    .action(async (channel: string, _opts: unknown, cmd: Command) => {
      const r = await callCore(cmd, 'channels.checkKey', { channel });
      if (r.valid) process.stdout.write(`The API key of channel ${channel} is accepted by ${r.baseUrl}.\n`);
      else {
        process.stdout.write(`360dialog refused the API key of channel ${channel} (HTTP ${r.status}).\n`);
        process.exitCode = 1;
      }
    });

  channels
    .command('register-webhook <channel>')
    .description(
      "Point 360dialog at the collector's public https URL (the channel secret goes along as header)",
    )
    .requiredOption(
      '--url <url>',
      'public https base URL of the collector, e.g. https://collector.example.com',
    )
    .action(async (channel: string, opts: { url: string }, cmd: Command) => {
      const r = await callCore(cmd, 'channels.registerWebhook', { channel, url: opts.url });
      process.stdout.write(
        `360dialog now delivers channel ${channel} to ${r.url}${r.previousUrl ? ` (was ${r.previousUrl})` : ''}.\n`,
      );
    });

  channels
    .command('webhook-status <channel>')
    .description('Where 360dialog currently delivers the channel’s webhooks')
    .action(async (channel: string, _opts: unknown, cmd: Command) => {
      const r = await callCore(cmd, 'channels.webhookStatus', { channel });
      process.stdout.write(
        r.url
          ? `${r.url}${r.pointsHere ? '' : `\n(not an Insights receiver path for this channel: expected …${r.expectedPath})`}\n`
          : 'No webhook is set for this channel.\n',
      );
    });

  channels
    .command('templates [channel]')
    .description('Fetch the message templates of a channel from 360dialog (--list: show the stored ones)')
    .option('--list', 'only show the stored templates, do not fetch')
    .option(...formatOption)
    .action(async (channel: string | undefined, opts: TableOrJson & { list?: boolean }, cmd: Command) => {
      if (!opts.list) {
        if (!channel) throw new Error('name the channel to fetch templates for (or use --list)');
        const r = await callCore(cmd, 'templates.sync', { channel }, { progress: true });
        process.stderr.write(
          `Fetched ${r.templates} templates (${r.buttons} buttons) for channel ${channel}.\n`,
        );
      }
      const list = await callCore(cmd, 'templates.list', channel ? { channel } : {});
      if (opts.format === 'json') printJson(list);
      else
        printTable(
          list.map((t) => ({
            channel: t.channel,
            name: t.name,
            language: t.language,
            status: t.status,
            buttons: t.buttons.map((b) => b.text).join(' | '),
          })),
        );
    });
}

export function registerCollectorCommands(program: Command): void {
  const collector = program
    .command('collector')
    .description('Pull what a 24/7 collector (`insights serve` on a server) received; see docs/collector.md');
  registerCollectorMigrate(collector);

  collector
    .command('configure')
    .description('Connect this workspace to a collector')
    .requiredOption('--url <url>', 'collector base URL, e.g. https://collector.example.com')
    .requiredOption(
      '--token <token>',
      'read token made on the collector with `insights collector token create`',
    )
    .option('--interval <minutes>', 'minutes between automatic syncs while the app runs', parseIntOption)
    .action(async (opts: { url: string; token: string; interval?: number }, cmd: Command) => {
      const s = await callCore(cmd, 'collector.configure', {
        url: opts.url,
        token: opts.token,
        ...(opts.interval === undefined ? {} : { intervalMinutes: opts.interval }),
      });
      process.stdout.write(
        `Collector set to ${s.url} (sync every ${s.intervalMinutes} min). Run: insights collector sync\n`,
      );
    });

  collector
    .command('sync')
    .description('Pull what the collector has and this workspace lacks (resumes after an interruption)')
    .action(async (_opts: unknown, cmd: Command) => {
      const r = await callCore(cmd, 'collector.sync', {}, { progress: true });
      process.stdout.write(
        `Synced: ${r.payloads} new payloads (${r.duplicatePayloads} already here), ${r.events} events, ` +
          `${r.outgoing} outgoing messages${r.erased ? `, ${r.erased} contacts erased (erased on the collector)` : ''}` +
          `${r.skipped ? `, ${r.skipped} skipped` : ''}.\n`,
      );
    });

  collector
    .command('status')
    .description('Collector URL, last sync, last error, online or offline')
    .option(...formatOption)
    .action(async (opts: TableOrJson, cmd: Command) => {
      const s = await callCore(cmd, 'collector.status', {});
      if (opts.format === 'json') return printJson(s);
      if (!s.configured) return void process.stdout.write('No collector configured.\n');
      process.stdout.write(
        [
          `URL:          ${s.url}`,
          `State:        ${s.online ? 'online' : 'offline'}`,
          `Last synced:  ${s.lastSyncedAt ?? 'never'}`,
          `Last attempt: ${s.lastAttemptAt ?? 'never'}`,
          `Last error:   ${s.lastError ?? '—'}`,
          `Interval:     ${s.intervalMinutes} min`,
          `Received:     ${s.received.payloads} payloads, ${s.received.events} events, ${s.received.outgoing} outgoing`,
        ]
          .map((line) => `${line}\n`)
          .join(''),
      );
    });

  collector
    .command('disconnect')
    .description('Forget the collector and its token (synced data stays)')
    .action(async (_opts: unknown, cmd: Command) => {
      await callCore(cmd, 'collector.disconnect', {});
      process.stdout.write('Collector disconnected.\n');
    });

  const token = collector
    .command('token')
    .description('Read tokens desktops use to pull from this collector');
  token
    .command('create')
    .description('Create a read token (printed once; only its hash is stored)')
    .option('--name <name>', 'a label, e.g. the desktop it is for')
    .action(async (opts: { name?: string }, cmd: Command) => {
      const t = await callCore(cmd, 'collector.tokens.create', opts.name ? { name: opts.name } : {});
      process.stderr.write(`Token ${t.id} created. Copy it now, it is not shown again:\n`);
      process.stdout.write(`${t.token}\n`);
    });
  addListCommand(token, 'Read tokens (never the tokens themselves)', 'collector.tokens.list', [
    'id',
    'name',
    'createdAt',
    'lastUsedAt',
    'revokedAt',
  ]);
  token
    .command('revoke <id>')
    .description('Revoke a read token')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await callCore(cmd, 'collector.tokens.revoke', { id });
      process.stdout.write(`Token ${id} revoked.\n`);
    });
}
