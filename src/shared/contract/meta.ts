import { z } from 'zod';
import { IsoDate, method, NoArgs, Ok } from './define';

// Meta Ads sync (ad names and daily spend, docs/meta.md): connection, ad accounts, sync, settings. The access token and the client
// token go in, never come out. Behaviour: docs/meta.md.

export const MetaConnectionMethod = z.enum(['token', 'device', 'demo']);
export type MetaConnectionMethod = z.infer<typeof MetaConnectionMethod>;

export const MetaSyncSummary = z.object({
  accounts: z.number().int(),
  /** Campaigns, ad sets and ads created or updated. */
  objects: z.number().int(),
  /** (account, ad, day) spend rows written. */
  spendRows: z.number().int(),
  /** Days read, summed over accounts. */
  days: z.number().int(),
  lookups: z.object({ found: z.number().int(), notFound: z.number().int() }),
  currencies: z.array(z.string()),
});
export type MetaSyncSummary = z.infer<typeof MetaSyncSummary>;

export const MetaLastSync = z.object({
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** null: still running, or the process stopped before it ended (the next sync resumes). */
  ok: z.boolean().nullable(),
  error: z.string().nullable(),
  summary: MetaSyncSummary.nullable(),
});

export const MetaStatus = z.object({
  connected: z.boolean(),
  method: MetaConnectionMethod.nullable(),
  user: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  tokenType: z.string().nullable(),
  /** ISO time; null when the token never expires or Meta did not say. */
  expiresAt: z.string().nullable(),
  dataAccessExpiresAt: z.string().nullable(),
  permissions: z.array(z.string()),
  /** Needed permissions the token lacks (ads_read). */
  missingPermissions: z.array(z.string()),
  /** Meta rejected the token (error 190) during a sync or check: reconnect. */
  needsLogin: z.boolean(),
  needsLoginReason: z.string().nullable(),
  checkedAt: z.string().nullable(),
  selectedAccounts: z.number().int(),
  deviceLoginPending: z.boolean(),
  lastSync: MetaLastSync.nullable(),
});
export type MetaStatus = z.infer<typeof MetaStatus>;

export const MetaAccount = z.object({
  /** act_<account_id> */
  id: z.string(),
  accountId: z.string(),
  name: z.string().nullable(),
  currency: z.string().nullable(),
  timezone: z.string().nullable(),
  status: z.number().int().nullable(),
  statusLabel: z.string().nullable(),
  selected: z.boolean(),
  /** Business numbers the account's ads lead to. */
  phoneNumberIds: z.array(z.string()),
  spendSince: IsoDate.nullable(),
  spendThrough: IsoDate.nullable(),
  lastSyncAt: z.string().nullable(),
});
export type MetaAccount = z.infer<typeof MetaAccount>;

export const MetaSettings = z.object({
  apiVersion: z.string(),
  /** The stored setting. */
  baseUrl: z.string(),
  /** What is used: INSIGHTS_GRAPH_URL when set, else baseUrl. */
  effectiveBaseUrl: z.string(),
  baseUrlFromEnv: z.boolean(),
  appId: z.string().nullable(),
  hasClientToken: z.boolean(),
});
export type MetaSettings = z.infer<typeof MetaSettings>;

const ApiVersion = z.string().regex(/^v\d{1,3}\.\d{1,2}$/, 'an API version looks like v25.0');
const BaseUrl = z
  .string()
  .max(500)
  .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'the base URL is http(s)://host[/path] without query')
  // The token travels to this host: plain http only to this machine (a local fake or proxy).
  .refine(
    (u) => u.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(u),
    'the base URL must use https (plain http only for localhost)',
  );
const AppId = z.string().regex(/^\d{5,25}$/, 'an app id is digits');
const Secret = z.string().trim().min(10, 'too short to be a Meta token').max(4096);
const AccountId = z.string().regex(/^act_\d{1,25}$/, 'an ad account id looks like act_123456');

export const DeviceLoginState = z.enum(['pending', 'slow_down', 'expired', 'declined', 'connected']);

export const metaMethods = {
  'meta.status': method({
    args: NoArgs,
    result: MetaStatus,
    lane: 'read',
    summary: 'Meta connection: who, expiry, permissions, last sync',
  }),
  'meta.connectToken': method({
    args: z.object({ token: Secret }).strict(),
    result: MetaStatus,
    lane: 'write',
    summary: 'Check a pasted Meta access token and store it encrypted',
  }),
  'meta.deviceLoginStart': method({
    args: z.object({ appId: AppId.optional(), clientToken: Secret.optional() }).strict(),
    result: z.object({
      userCode: z.string(),
      verificationUri: z.string(),
      expiresAt: z.string(),
      /** Seconds between polls. */
      interval: z.number().int(),
    }),
    lane: 'write',
    summary: 'Start Login for Devices: a code for the user to enter at the verification URL',
  }),
  'meta.deviceLoginPoll': method({
    args: NoArgs,
    result: z.object({
      state: DeviceLoginState,
      interval: z.number().int(),
      message: z.string(),
      status: MetaStatus.optional(),
    }),
    lane: 'write',
    summary: 'Poll a Login for Devices once (call again after `interval` seconds while pending)',
  }),
  'meta.disconnect': method({
    args: NoArgs,
    result: Ok,
    lane: 'write',
    summary: 'Forget the Meta token (synced data stays)',
  }),
  'meta.accounts': method({
    args: z.object({ refresh: z.boolean().optional() }).strict(),
    result: z.array(MetaAccount),
    lane: 'write',
    summary: 'Ad accounts (refresh: ask Meta for /me/adaccounts first)',
  }),
  'meta.selectAccounts': method({
    args: z.object({ accountIds: z.array(AccountId).max(500) }).strict(),
    result: z.array(MetaAccount),
    lane: 'write',
    summary: 'Choose the ad accounts to sync (replaces the selection)',
  }),
  'meta.linkNumbers': method({
    args: z
      .object({ accountId: AccountId, phoneNumbers: z.array(z.string().min(1).max(40)).max(500) })
      .strict(),
    result: z.array(MetaAccount),
    lane: 'write',
    summary: 'Link an ad account to business numbers (phone number id or display number)',
  }),
  'meta.sync': method({
    args: z.object({ since: IsoDate.optional() }).strict(),
    result: MetaSyncSummary,
    lane: 'job',
    jobKind: 'meta-sync',
    summary: 'Sync campaigns, ad sets, ads and daily spend of the selected ad accounts',
  }),
  'meta.settings.get': method({
    args: NoArgs,
    result: MetaSettings,
    lane: 'read',
    summary: 'Graph API version, base URL, app id',
  }),
  'meta.settings.set': method({
    args: z
      .object({
        apiVersion: ApiVersion.optional(),
        baseUrl: BaseUrl.nullable().optional(),
        appId: AppId.nullable().optional(),
        clientToken: Secret.nullable().optional(),
      })
      .strict(),
    result: MetaSettings,
    lane: 'write',
    summary: 'Change Graph API settings (null resets a value; the client token is stored as a secret)',
  }),
};
