import { type Command, InvalidArgumentError } from 'commander';
import {
  addListCommand,
  callCore,
  formatOption,
  parseIntOption,
  printJson,
  printTable,
  type TableOrJson,
} from '../runtime';

/** `insights channels|keys|quarantine|import|erase|retention` — ingestion from the command line. */
export function registerIngestCommands(program: Command): void {
  // The dialog360 commands add to the same group (check-key, register-webhook …), whichever registers first.
  const channels =
    program.commands.find((c) => c.name() === 'channels') ??
    program.command('channels').description('360dialog channels (phone numbers) of the workspace');
  addListCommand(channels, 'List channels', 'channels.list', [
    'id',
    'name',
    'webhookPath',
    'hasApiKey',
    'createdAt',
  ]);
  channels
    .command('add <phone_number_id>')
    .description(
      "Add a channel; prints its webhook path and secret (shown once: set it as 360dialog's Authorization header)",
    )
    .option('--name <name>', 'a name for people')
    .option('--api-key <key>', "the channel's 360dialog API key (D360-API-KEY), kept in the secret store")
    .option(...formatOption)
    .action(async (id: string, opts: TableOrJson & { name?: string; apiKey?: string }, cmd: Command) => {
      const ch = await callCore(cmd, 'channels.add', {
        phoneNumberId: id,
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
      });
      if (opts.format === 'json') return printJson(ch);
      process.stdout.write(
        `Channel ${ch.id} added.\n  Webhook path:  ${ch.webhookPath}\n  Header:        Authorization: Bearer ${ch.secret}\n` +
          'The secret is shown only now. Point 360dialog at https://<your host>' +
          `${ch.webhookPath} with that header.\n`,
      );
    });
  channels
    .command('remove <phone_number_id>')
    .description('Remove a channel (stored messages stay)')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await callCore(cmd, 'channels.remove', { id });
      process.stdout.write(`Channel ${id} removed.\n`);
    });

  const keys = program.command('keys').description('API keys of the external-events endpoint');
  keys
    .command('create')
    .description('Create a key (printed once)')
    .option('--name <name>', 'what the key is for')
    .option(...formatOption)
    .action(async (opts: TableOrJson & { name?: string }, cmd: Command) => {
      const k = await callCore(cmd, 'keys.create', opts.name ? { name: opts.name } : {});
      if (opts.format === 'json') return printJson(k);
      process.stdout.write(
        `API key ${k.id}${k.name ? ` (${k.name})` : ''}:\n  ${k.key}\nIt is shown only now; send it as "api_key" in POST /clients/<client_id>/external-events.\n`,
      );
    });
  addListCommand(keys, 'List keys (never the keys themselves)', 'keys.list', [
    'id',
    'name',
    'prefix',
    'createdAt',
    'lastUsedAt',
    'revokedAt',
  ]);
  keys
    .command('revoke <id>')
    .description('Revoke a key')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await callCore(cmd, 'keys.revoke', { id });
      process.stdout.write(`Key ${id} revoked.\n`);
    });

  const quarantine = program.command('quarantine').description('Deliveries that could not be read');
  const idOrAll = (id: string | undefined, all: boolean | undefined): { id: number } | { all: true } => {
    if (all) return { all: true };
    if (id === undefined) throw new InvalidArgumentError('give an id or --all');
    return { id: parseIntOption(id) };
  };
  quarantine
    .command('list')
    .description('List quarantined bodies, newest first')
    .option('--limit <n>', 'how many', parseIntOption, 200)
    .option(...formatOption)
    .action(async (opts: TableOrJson & { limit: number }, cmd: Command) => {
      const r = await callCore(cmd, 'quarantine.list', { limit: opts.limit });
      if (opts.format === 'json') return printJson(r);
      printTable(r.items, ['id', 'receivedAt', 'origin', 'channel', 'size', 'reason']);
      if (r.total > r.items.length) process.stdout.write(`(${r.total} in all)\n`);
    });
  quarantine
    .command('show <id>')
    .description('Show a quarantined body and why it was refused')
    .option(...formatOption)
    .action(async (id: string, opts: TableOrJson, cmd: Command) => {
      const q = await callCore(cmd, 'quarantine.show', { id: parseIntOption(id) });
      if (opts.format === 'json') return printJson(q);
      process.stdout.write(
        `#${q.id} ${q.receivedAt} ${q.origin}${q.channel ? ` channel ${q.channel}` : ''}\nReason: ${q.reason}\n\n${q.body}\n`,
      );
    });
  quarantine
    .command('retry [id]')
    .description('Run a quarantined body (or --all) through ingestion again')
    .option('--all', 'every quarantined body')
    .action(async (id: string | undefined, opts: { all?: boolean }, cmd: Command) => {
      const r = await callCore(cmd, 'quarantine.retry', idOrAll(id, opts.all));
      process.stdout.write(`Retried ${r.retried}: ${r.stored} stored, ${r.stillBad} still unreadable.\n`);
    });
  quarantine
    .command('delete [id]')
    .description('Delete a quarantined body (or --all)')
    .option('--all', 'every quarantined body')
    .action(async (id: string | undefined, opts: { all?: boolean }, cmd: Command) => {
      const r = await callCore(cmd, 'quarantine.delete', idOrAll(id, opts.all));
      process.stdout.write(`Deleted ${r.deleted}.\n`);
    });

  program
    .command('import <files...>')
    .description(
      'Import webhook payloads (NDJSON / JSON array, .gz), external events (CSV) or a send log (CSV / NDJSON)',
    )
    .option('--channel <phone_number_id>', 'business number for On-Premise payloads (they carry none)')
    .option(...formatOption)
    .action(async (files: string[], opts: TableOrJson & { channel?: string }, cmd: Command) => {
      const r = await callCore(
        cmd,
        'import.files',
        { files, ...(opts.channel ? { channel: opts.channel } : {}) },
        { progress: true },
      );
      if (opts.format === 'json') return printJson(r);
      for (const f of r.files) {
        const what =
          f.kind === 'webhooks'
            ? `${f.payloads} payloads (${f.duplicatePayloads} already stored), ${f.messages} new messages, ${f.statuses} new statuses`
            : f.kind === 'external-events'
              ? `${f.events} new events (${f.duplicateEvents} already stored)`
              : `${f.outgoing} outgoing messages recorded`;
        process.stdout.write(
          `${f.file}: ${f.lines} lines — ${what}${f.bad ? `, ${f.bad} bad lines skipped` : ''}\n`,
        );
      }
      for (const e of r.errors) process.stdout.write(`  ${e.file}:${e.line}: ${e.reason}\n`);
      const bad = r.files.reduce((s, f) => s + f.bad, 0);
      if (bad > r.errors.length) process.stdout.write(`  … and ${bad - r.errors.length} more bad lines\n`);
      process.stdout.write(`Done in ${r.seconds.toFixed(1)} s.\n`);
    });

  program
    .command('erase <phone>')
    .description(
      'Erase a contact everywhere: raw payloads, messages, statuses, events, derived rows, quarantine',
    )
    .option(...formatOption)
    .action(async (phone: string, opts: TableOrJson, cmd: Command) => {
      const r = await callCore(cmd, 'contacts.erase', { phone });
      if (opts.format === 'json') return printJson(r);
      process.stdout.write(
        `Erased ${r.contactIds.join(', ')}: ${r.messages} messages, ${r.statuses} statuses, ${r.externalEvents} external events, ` +
          `${r.outgoingMessages} outgoing messages, ${r.rawPayloadsDeleted} raw payloads deleted and ${r.rawPayloadsRewritten} rewritten, ` +
          `${r.quarantine} quarantined bodies, ${r.contacts} contact rows, and the derived conversations.\n`,
      );
    });

  program
    .command('retention [days]')
    .description('Show or set how many days raw payloads keep their body ("off" keeps them forever)')
    .action(async (days: string | undefined, _o: unknown, cmd: Command) => {
      if (days === undefined) {
        const s = await callCore(cmd, 'ingest.settings.get', {});
        process.stdout.write(
          s.rawRetentionDays === null
            ? 'Raw payloads are kept forever.\n'
            : `Raw payloads keep their body ${s.rawRetentionDays} days.\n`,
        );
        return;
      }
      const value = days === 'off' ? null : parseIntOption(days);
      const r = await callCore(cmd, 'ingest.settings.set', { rawRetentionDays: value });
      process.stdout.write(
        `${r.rawRetentionDays === null ? 'Raw payloads are kept forever.' : `Retention ${r.rawRetentionDays} days;`} ${r.pruned} bodies dropped now.\n`,
      );
    });
}
