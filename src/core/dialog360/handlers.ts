import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import { deleteSetting, getSetting, setSetting } from '../db/settings';
import { addChannel, listChannels, removeChannel } from '../ingest/channels';
import type { CoreContext, Handler, InternalHandlers } from '../kernel/context';
import { channelApiKey, channelSecret, requireChannel } from './channels';
import { BASE_URL_SETTING, Dialog360Client, dialog360BaseUrl } from './client';
import { authorizeSend, type RecordOutgoingArgs, recordOutgoing } from './send-proxy';
import { listTemplates, storeTemplates } from './templates';
import { validateWebhookUrl, webhookStatusOf, webhookUrlFor } from './webhook-url';

const clientFor = async (ctx: CoreContext, channel: string, apiKey?: string) =>
  new Dialog360Client({
    baseUrl: dialog360BaseUrl(ctx.db()),
    apiKey: apiKey ?? (await channelApiKey(ctx, channel)),
    signal: ctx.signal,
    // These calls hold a lane while they wait: a stuck 360dialog must not hold it for long.
    timeoutMs: 15_000,
  });

const channelsList: Handler<'channels.list'> = (_a, ctx) => listChannels(ctx.db());
const channelsAdd: Handler<'channels.add'> = (args, ctx) => addChannel(ctx, args);
const channelsRemove: Handler<'channels.remove'> = async ({ id }, ctx) => {
  await removeChannel(ctx, id);
  return { ok: true };
};

const checkKey: Handler<'channels.checkKey'> = async ({ channel, apiKey }, ctx) => {
  // A key typed into Settings can be tested before the channel exists; a stored key needs the channel.
  if (apiKey === undefined) requireChannel(ctx.db(), channel);
  const client = await clientFor(ctx, channel, apiKey);
  const r = await client.checkKey();
  return { channel, valid: r.valid, status: r.status, baseUrl: dialog360BaseUrl(ctx.db()) };
};

const registerWebhook: Handler<'channels.registerWebhook'> = async ({ channel, url }, ctx) => {
  const base = validateWebhookUrl(url);
  requireChannel(ctx.db(), channel);
  const client = await clientFor(ctx, channel);
  const secret = await channelSecret(ctx, channel);
  const previous = await client.getWebhook();
  const target = webhookUrlFor(base, channel);
  // 360dialog sends these headers with every delivery; the receiver checks the Bearer secret.
  await client.setWebhook(target, { Authorization: `Bearer ${secret}` });
  return { channel, url: target, previousUrl: previous.url };
};

const webhookStatus: Handler<'channels.webhookStatus'> = async ({ channel }, ctx) => {
  requireChannel(ctx.db(), channel);
  return webhookStatusOf(channel, await (await clientFor(ctx, channel)).getWebhook());
};

const templatesSync: Handler<'templates.sync'> = async ({ channel }, ctx) => {
  requireChannel(ctx.db(), channel);
  ctx.progress(null, 'Fetching templates from 360dialog');
  const templates = await (await clientFor(ctx, channel)).getTemplates();
  storeTemplates(ctx.db(), channel, templates);
  const buttons = ctx
    .db()
    .prepare('SELECT COUNT(*) AS n FROM template_buttons WHERE phone_number_id = ?')
    .get(channel) as { n: number };
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'sources' });
  return { channel, templates: templates.length, buttons: buttons.n };
};

const templatesList: Handler<'templates.list'> = ({ channel }, ctx) =>
  listTemplates(ctx.db(), channel).map((t) => ({
    channel: t.phoneNumberId,
    name: t.name,
    language: t.language,
    status: t.status,
    category: t.category,
    buttons: t.buttons,
    syncedAt: new Date(t.syncedAt).toISOString(),
  }));

const currentSettings = (db: Db) => ({
  baseUrl: getSetting<string | null>(db, BASE_URL_SETTING, null),
  effectiveBaseUrl: dialog360BaseUrl(db),
});

const settings: Handler<'dialog360.settings'> = (_args, ctx) => currentSettings(ctx.db());

const setSettings: Handler<'dialog360.setSettings'> = ({ baseUrl }, ctx) => {
  if (baseUrl === null) deleteSetting(ctx.db(), BASE_URL_SETTING);
  else setSetting(ctx.db(), BASE_URL_SETTING, baseUrl.replace(/\/+$/, ''));
  return currentSettings(ctx.db());
};

export const dialog360Handlers = {
  'channels.list': channelsList,
  'channels.add': channelsAdd,
  'channels.remove': channelsRemove,
  'channels.checkKey': checkKey,
  'channels.registerWebhook': registerWebhook,
  'channels.webhookStatus': webhookStatus,
  'templates.sync': templatesSync,
  'templates.list': templatesList,
  'dialog360.settings': settings,
  'dialog360.setSettings': setSettings,
};

/** Called by the send proxy route (src/core/dialog360/routes.ts) through host.internal. */
export const dialog360InternalHandlers: InternalHandlers = {
  'dialog360.authorizeSend': (args, ctx) => authorizeSend((args ?? {}) as Record<string, unknown>, ctx),
  'dialog360.recordOutgoing': (args, ctx) => {
    if (!args || typeof args !== 'object')
      throw new ApiError('invalid_argument', 'recordOutgoing needs arguments');
    return recordOutgoing(ctx.db(), args as RecordOutgoingArgs);
  },
};
