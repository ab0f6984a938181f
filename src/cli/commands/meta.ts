import fs from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { ApiError } from '../../shared/contract/errors';
import type { MetaAccount, MetaStatus } from '../../shared/contract/meta';
import { callCore, formatOption, parseFormat, printJson, printTable } from '../runtime';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function isoDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new InvalidArgumentError('expected YYYY-MM-DD');
  return value;
}

/** `--token -` reads the token from stdin, so it stays out of the shell history. */
function readToken(value: string): string {
  return value === '-' ? fs.readFileSync(0, 'utf8').trim() : value;
}

function printStatus(s: MetaStatus): void {
  const lines: [string, string][] = [
    ['Connected', s.connected ? `yes (${s.method})` : 'no'],
    ['Who', s.user ? `${s.user.name ?? '?'} (${s.user.id})` : '—'],
    ['Token type', s.tokenType ?? '—'],
    ['Expires', s.connected ? (s.expiresAt ?? 'never (or not reported)') : '—'],
    ['Permissions', s.permissions.join(', ') || '—'],
    ['Missing', s.missingPermissions.join(', ') || '—'],
    ['Needs login', s.needsLogin ? `yes: ${s.needsLoginReason ?? ''}` : 'no'],
    ['Ad accounts', `${s.selectedAccounts} selected`],
    [
      'Last sync',
      s.lastSync
        ? `${s.lastSync.startedAt} ${s.lastSync.ok === true ? 'ok' : s.lastSync.ok === false ? `failed: ${s.lastSync.error}` : 'did not finish'}`
        : 'never',
    ],
  ];
  for (const [k, v] of lines) process.stdout.write(`${k.padEnd(12)} ${v}\n`);
}

function printAccounts(list: MetaAccount[]): void {
  printTable(
    list.map((a) => ({
      id: a.id,
      name: a.name,
      currency: a.currency,
      timezone: a.timezone,
      status: a.statusLabel,
      selected: a.selected ? 'yes' : '',
      numbers: a.phoneNumberIds.join(' '),
      spend: a.spendSince ? `${a.spendSince} … ${a.spendThrough ?? '—'}` : '',
    })),
  );
}

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

export function registerMetaCommands(program: Command): void {
  const meta = program
    .command('meta')
    .description('Meta Ads: connect, choose ad accounts, sync names and daily spend');

  meta
    .command('connect')
    .description('Connect with a pasted access token, or with Login for Devices')
    .option('--token <token>', 'a system-user or user access token ("-" reads it from stdin)')
    .option('--device', 'use Login for Devices (needs --app-id and --client-token, or stored settings)')
    .option('--app-id <id>', 'Meta app id for Login for Devices')
    .option('--client-token <token>', 'the app client token for Login for Devices (stored as a secret)')
    .action(
      async (
        opts: { token?: string; device?: boolean; appId?: string; clientToken?: string },
        cmd: Command,
      ) => {
        if (!opts.token === !opts.device)
          throw new ApiError('invalid_argument', 'Give either --token or --device');
        if (opts.token) {
          printStatus(await callCore(cmd, 'meta.connectToken', { token: readToken(opts.token) }));
          return;
        }
        const start = await callCore(cmd, 'meta.deviceLoginStart', {
          ...(opts.appId ? { appId: opts.appId } : {}),
          ...(opts.clientToken ? { clientToken: opts.clientToken } : {}),
        });
        process.stdout.write(
          `Open ${start.verificationUri} and enter the code ${start.userCode} (valid until ${start.expiresAt}).\n`,
        );
        let interval = start.interval;
        for (;;) {
          await sleep(interval);
          const r = await callCore(cmd, 'meta.deviceLoginPoll', {});
          interval = r.interval;
          if (r.state === 'connected' && r.status) return printStatus(r.status);
          if (r.state === 'expired' || r.state === 'declined') throw new ApiError('unauthorized', r.message);
          process.stderr.write(`${r.message}…\n`);
        }
      },
    );

  meta
    .command('accounts')
    .description('List the ad accounts (asks Meta), optionally select some and link them to business numbers')
    .option('--select <act_id...>', 'the accounts to sync (replaces the selection)')
    .option(
      '--link <number>',
      'business number (id or display number) the selected accounts lead to; repeatable',
      collect,
    )
    .option('--no-refresh', 'do not ask Meta, list what is stored')
    .option(...formatOption)
    .action(
      async (
        opts: { select?: string[]; link?: string[]; refresh: boolean; format: 'table' | 'json' },
        cmd: Command,
      ) => {
        let list = await callCore(cmd, 'meta.accounts', { refresh: opts.refresh });
        // Links first: a bad number then fails before the selection changes.
        if (opts.link) {
          const targets = opts.select ?? list.filter((a) => a.selected).map((a) => a.id);
          if (targets.length === 0) {
            throw new ApiError('invalid_argument', 'No account is selected to link: add --select act_…');
          }
          for (const id of targets) {
            list = await callCore(cmd, 'meta.linkNumbers', { accountId: id, phoneNumbers: opts.link });
          }
        }
        if (opts.select) list = await callCore(cmd, 'meta.selectAccounts', { accountIds: opts.select });
        if (opts.format === 'json') printJson(list);
        else printAccounts(list);
      },
    );

  meta
    .command('sync')
    .description(
      'Sync campaigns, ad sets, ads and daily spend of the selected accounts (re-reads the last 28 days)',
    )
    .option(
      '--since <date>',
      'first day of the spend history (default: 37 months back on the first sync)',
      isoDate,
    )
    .action(async (opts: { since?: string }, cmd: Command) => {
      const r = await callCore(cmd, 'meta.sync', opts.since ? { since: opts.since } : {}, { progress: true });
      process.stdout.write(
        `Synced ${r.accounts} account(s): ${r.objects} objects, ${r.spendRows} spend rows over ${r.days} days` +
          ` (${r.currencies.join(', ') || 'no spend'}); lookups: ${r.lookups.found} found, ${r.lookups.notFound} not found.\n`,
      );
    });

  meta
    .command('status')
    .description('Who is connected, token expiry, permissions, last sync, needs-login')
    .option('--format <f>', 'text or json', parseFormat(['text', 'json'] as const), 'text')
    .action(async (opts: { format: 'text' | 'json' }, cmd: Command) => {
      const s = await callCore(cmd, 'meta.status', {});
      if (opts.format === 'json') printJson(s);
      else printStatus(s);
    });

  meta
    .command('disconnect')
    .description('Forget the stored token (synced data stays)')
    .action(async (_opts: unknown, cmd: Command) => {
      await callCore(cmd, 'meta.disconnect', {});
      process.stdout.write('Meta disconnected.\n');
    });

  meta
    .command('settings')
    .description('Show or change the Graph API version, base URL and Login for Devices app')
    .option('--api-version <v>', 'e.g. v25.0')
    .option('--base-url <url>', 'Graph base URL ("default" resets it)')
    .option('--app-id <id>', 'Meta app id ("none" removes it)')
    .option('--client-token <token>', 'app client token, stored as a secret ("none" removes it)')
    .action(
      async (
        opts: { apiVersion?: string; baseUrl?: string; appId?: string; clientToken?: string },
        cmd: Command,
      ) => {
        const change = {
          ...(opts.apiVersion ? { apiVersion: opts.apiVersion } : {}),
          ...(opts.baseUrl ? { baseUrl: opts.baseUrl === 'default' ? null : opts.baseUrl } : {}),
          ...(opts.appId ? { appId: opts.appId === 'none' ? null : opts.appId } : {}),
          ...(opts.clientToken ? { clientToken: opts.clientToken === 'none' ? null : opts.clientToken } : {}),
        };
        const s = Object.keys(change).length
          ? await callCore(cmd, 'meta.settings.set', change)
          : await callCore(cmd, 'meta.settings.get', {});
        printJson(s);
      },
    );
}
