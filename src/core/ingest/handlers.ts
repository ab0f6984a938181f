import type { Handler, InternalHandlers } from '../kernel/context';
import { createApiKey, listApiKeys, revokeApiKey } from './channels';
import { importFiles } from './import-files';
import { deleteQuarantine, listQuarantine, retryQuarantine, showQuarantine } from './quarantine';
import { lookupReceiver, receiveExternalEvent, receiveWebhook } from './receiver';
import { applyRetention, getRetentionDays, setRetentionDays } from './retention';

const keysCreate: Handler<'keys.create'> = ({ name }, ctx) => {
  const key = createApiKey(ctx.db(), name || null);
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'settings' });
  return key;
};
const keysList: Handler<'keys.list'> = (_a, ctx) => listApiKeys(ctx.db());
const keysRevoke: Handler<'keys.revoke'> = ({ id }, ctx) => {
  revokeApiKey(ctx.db(), id);
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'settings' });
  return { ok: true };
};

const quarantineList: Handler<'quarantine.list'> = ({ limit }, ctx) => listQuarantine(ctx.db(), limit);
const quarantineShow: Handler<'quarantine.show'> = ({ id }, ctx) => showQuarantine(ctx.db(), id);
const quarantineRetry: Handler<'quarantine.retry'> = (args, ctx) => {
  const r = retryQuarantine(ctx.db(), args);
  if (r.stored > 0) ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'messages' });
  return r;
};
const quarantineDelete: Handler<'quarantine.delete'> = (args, ctx) => ({
  deleted: deleteQuarantine(ctx.db(), args),
});

const importFilesHandler: Handler<'import.files'> = (args, ctx) => importFiles(ctx, args);

const settingsGet: Handler<'ingest.settings.get'> = (_a, ctx) => ({
  rawRetentionDays: getRetentionDays(ctx.db()),
});
const settingsSet: Handler<'ingest.settings.set'> = ({ rawRetentionDays }, ctx) => {
  const db = ctx.db();
  setRetentionDays(db, rawRetentionDays);
  return { rawRetentionDays, pruned: applyRetention(db) };
};

export const ingestHandlers = {
  'keys.create': keysCreate,
  'keys.list': keysList,
  'keys.revoke': keysRevoke,
  'quarantine.list': quarantineList,
  'quarantine.show': quarantineShow,
  'quarantine.retry': quarantineRetry,
  'quarantine.delete': quarantineDelete,
  'import.files': importFilesHandler,
  'ingest.settings.get': settingsGet,
  'ingest.settings.set': settingsSet,
};

/** Receivers' operations (src/core/ingest/routes.ts): group-committed webhooks, external events, workspace lookup. */
export const ingestInternalHandlers: InternalHandlers = {
  'ingest.webhook': receiveWebhook,
  'ingest.externalEvent': receiveExternalEvent,
  'ingest.lookup': lookupReceiver,
};
