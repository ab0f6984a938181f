import { ApiError } from '../../shared/contract/errors';
import type { CoreContext, Handler } from '../kernel/context';
import { secretName } from '../secrets/secret-store';
import { linkNumbers, listAccounts, refreshAccounts, selectAccounts } from './accounts';
import {
  checkToken,
  clearConnection,
  connectionMethod,
  markNeedsLogin,
  readStatus,
  saveConnection,
} from './connection';
import { fixtureClient, fixtureFromWorkspace } from './demo-graph';
import { type PendingDeviceLogin, pollDeviceLogin, startDeviceLogin } from './device-login';
import { GraphClient, realSleep, type WaitInfo } from './graph-client';
import { GraphError } from './graph-error';
import {
  appIdSetting,
  CLIENT_TOKEN_SECRET,
  DEVICE_LOGIN_SECRET,
  graphConfig,
  readMetaSettings,
  TOKEN_SECRET,
  writeMetaSettings,
} from './settings';
import { runMetaSync } from './sync';

// The token and the client token are read from ctx.secrets here and handed only to GraphClient;
// no handler returns, logs or stores them elsewhere.

const secret = (ctx: CoreContext, key: string) => secretName(ctx.workspace, key);

function client(ctx: CoreContext, accessToken: string, onWait?: (w: WaitInfo) => void): GraphClient {
  return new GraphClient({
    ...graphConfig(ctx.db()),
    accessToken,
    signal: ctx.signal,
    ...(onWait ? { onWait } : {}),
  });
}

/**
 * The client of the workspace's connection. A demo workspace is connected to the in-process Graph
 * simulator answering with its own ads and spend (no token, nothing sent anywhere).
 */
async function connectedClient(ctx: CoreContext, onWait?: (w: WaitInfo) => void): Promise<GraphClient> {
  if (connectionMethod(ctx.db()) === 'demo')
    return fixtureClient(fixtureFromWorkspace(ctx.db()), { signal: ctx.signal });
  return client(ctx, await storedToken(ctx), onWait);
}

async function storedToken(ctx: CoreContext): Promise<string> {
  const token = await ctx.secrets.get(secret(ctx, TOKEN_SECRET));
  if (!token)
    throw new ApiError(
      'meta_needs_login',
      'Meta is not connected: connect first (insights meta connect --token …)',
    );
  return token;
}

/** A 190 anywhere marks the connection "needs login" before the error goes to the caller. */
async function graphCall<T>(ctx: CoreContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof GraphError && err.kind === 'auth') markNeedsLogin(ctx.db(), err.message);
    throw err;
  }
}

async function status(ctx: CoreContext) {
  return readStatus(ctx.db(), {
    hasToken: (await ctx.secrets.get(secret(ctx, TOKEN_SECRET))) !== null,
    deviceLoginPending: (await ctx.secrets.get(secret(ctx, DEVICE_LOGIN_SECRET))) !== null,
  });
}

/** Checks a token, then stores it and who it belongs to. A token Meta rejects changes nothing. */
async function connect(ctx: CoreContext, token: string, method: 'token' | 'device') {
  let info: Awaited<ReturnType<typeof checkToken>>;
  try {
    info = await checkToken(client(ctx, token), token);
  } catch (err) {
    if (err instanceof GraphError && err.kind === 'auth') {
      throw new ApiError(
        'unauthorized',
        `Meta did not accept this token (${err.graphMessage || 'invalid'})`,
        'token',
      );
    }
    throw err;
  }
  await ctx.secrets.set(secret(ctx, TOKEN_SECRET), token);
  await ctx.secrets.delete(secret(ctx, DEVICE_LOGIN_SECRET));
  saveConnection(ctx.db(), method, info, Date.now());
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'settings' });
  return status(ctx);
}

const metaStatus: Handler<'meta.status'> = (_args, ctx) => status(ctx);

const metaConnectToken: Handler<'meta.connectToken'> = ({ token }, ctx) => connect(ctx, token, 'token');

async function appToken(
  ctx: CoreContext,
  args: { appId?: string | undefined; clientToken?: string | undefined },
): Promise<string> {
  if (args.appId !== undefined || args.clientToken !== undefined) {
    await writeMetaSettings(ctx.db(), ctx.secrets, ctx.workspace, {
      appId: args.appId,
      clientToken: args.clientToken,
    });
  }
  const appId = appIdSetting(ctx.db());
  const clientToken = await ctx.secrets.get(secret(ctx, CLIENT_TOKEN_SECRET));
  if (!appId)
    throw new ApiError(
      'invalid_argument',
      'Login for Devices needs the Meta app id (settings or --app-id)',
      'appId',
    );
  if (!clientToken) {
    throw new ApiError(
      'invalid_argument',
      'Login for Devices needs the app client token (settings or --client-token)',
      'clientToken',
    );
  }
  return `${appId}|${clientToken}`;
}

const metaDeviceLoginStart: Handler<'meta.deviceLoginStart'> = async (args, ctx) => {
  const pending = await startDeviceLogin(client(ctx, await appToken(ctx, args)), Date.now());
  await ctx.secrets.set(secret(ctx, DEVICE_LOGIN_SECRET), JSON.stringify(pending));
  return {
    userCode: pending.userCode,
    verificationUri: pending.verificationUri,
    expiresAt: new Date(pending.expiresAt).toISOString(),
    interval: pending.interval,
  };
};

const POLL_MESSAGES = {
  pending: 'Waiting for the code to be entered at the verification URL',
  slow_down: 'Polling too fast; waiting longer between polls',
  expired: 'The code expired: start the device login again',
  declined: 'The login was declined',
  connected: 'Connected',
} as const;

const metaDeviceLoginPoll: Handler<'meta.deviceLoginPoll'> = async (_args, ctx) => {
  const raw = await ctx.secrets.get(secret(ctx, DEVICE_LOGIN_SECRET));
  if (!raw) throw new ApiError('invalid_argument', 'No device login is in progress: start one first');
  const pending = JSON.parse(raw) as PendingDeviceLogin;
  const r = await pollDeviceLogin(client(ctx, await appToken(ctx, {})), pending, Date.now());
  if (r.state === 'authorized') {
    const st = await connect(ctx, r.accessToken, 'device');
    return {
      state: 'connected' as const,
      interval: pending.interval,
      message: POLL_MESSAGES.connected,
      status: st,
    };
  }
  if (r.state === 'expired' || r.state === 'declined')
    await ctx.secrets.delete(secret(ctx, DEVICE_LOGIN_SECRET));
  if (r.state === 'slow_down') {
    await ctx.secrets.set(
      secret(ctx, DEVICE_LOGIN_SECRET),
      JSON.stringify({ ...pending, interval: r.interval }),
    );
  }
  return { state: r.state, interval: r.interval, message: POLL_MESSAGES[r.state] };
};

const metaDisconnect: Handler<'meta.disconnect'> = async (_args, ctx) => {
  await ctx.secrets.delete(secret(ctx, TOKEN_SECRET));
  await ctx.secrets.delete(secret(ctx, DEVICE_LOGIN_SECRET));
  clearConnection(ctx.db());
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'settings' });
  return { ok: true as const };
};

const metaAccounts: Handler<'meta.accounts'> = async ({ refresh }, ctx) => {
  if (refresh) {
    const c = await connectedClient(ctx);
    await graphCall(ctx, () => refreshAccounts(ctx.db(), c, Date.now()));
  }
  return listAccounts(ctx.db());
};

const metaSelectAccounts: Handler<'meta.selectAccounts'> = ({ accountIds }, ctx) => {
  selectAccounts(ctx.db(), accountIds);
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'settings' });
  return listAccounts(ctx.db());
};

const metaLinkNumbers: Handler<'meta.linkNumbers'> = ({ accountId, phoneNumbers }, ctx) => {
  linkNumbers(ctx.db(), accountId, phoneNumbers);
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'sources' });
  return listAccounts(ctx.db());
};

/** Workspaces with a sync running in this process (all meta.sync calls share the job lane's worker). */
const syncing = new Set<string>();

const metaSync: Handler<'meta.sync'> = async ({ since }, ctx) => {
  const key = `${ctx.dataDir}\0${ctx.workspace}`;
  if (syncing.has(key)) throw new ApiError('conflict', 'A Meta sync of this workspace is already running');
  syncing.add(key);
  let fraction: number | null = 0;
  try {
    const c = await connectedClient(ctx, (w) => ctx.progress(fraction, w.detail));
    return await runMetaSync(
      {
        db: ctx.db(),
        client: c,
        sleep: realSleep,
        signal: ctx.signal,
        progress: (f, detail) => {
          fraction = f;
          ctx.progress(f, detail);
        },
      },
      { since },
    );
  } finally {
    syncing.delete(key);
    ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'spend' });
  }
};

const metaSettingsGet: Handler<'meta.settings.get'> = (_args, ctx) =>
  readMetaSettings(ctx.db(), ctx.secrets, ctx.workspace);

const metaSettingsSet: Handler<'meta.settings.set'> = async (args, ctx) => {
  await writeMetaSettings(ctx.db(), ctx.secrets, ctx.workspace, args);
  return readMetaSettings(ctx.db(), ctx.secrets, ctx.workspace);
};

export const metaHandlers = {
  'meta.status': metaStatus,
  'meta.connectToken': metaConnectToken,
  'meta.deviceLoginStart': metaDeviceLoginStart,
  'meta.deviceLoginPoll': metaDeviceLoginPoll,
  'meta.disconnect': metaDisconnect,
  'meta.accounts': metaAccounts,
  'meta.selectAccounts': metaSelectAccounts,
  'meta.linkNumbers': metaLinkNumbers,
  'meta.sync': metaSync,
  'meta.settings.get': metaSettingsGet,
  'meta.settings.set': metaSettingsSet,
};
