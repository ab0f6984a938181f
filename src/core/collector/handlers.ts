import { ApiError } from '../../shared/contract/errors';
import type { Handler, InternalHandlers } from '../kernel/context';
import { decodeCursor, readPage, remainingAfter } from './feed';
import { parseSentConversions, recordSentElsewhere } from './handover';
import { pullFromCollector } from './pull';
import {
  DEFAULT_INTERVAL_MINUTES,
  normaliseCollectorUrl,
  readState,
  saveConfig,
  statusOf,
  tokenSecretName,
} from './state';
import { createToken, findLiveToken, listTokens, revokeToken, tokenWorkspace, touchToken } from './tokens';

const configure: Handler<'collector.configure'> = async ({ url, token, intervalMinutes }, ctx) => {
  const base = normaliseCollectorUrl(url);
  if (!tokenWorkspace(token.trim())) {
    throw new ApiError(
      'invalid_argument',
      'This is not a collector read token (they start with "ict1.")',
      'token',
    );
  }
  await ctx.secrets.set(tokenSecretName(ctx.workspace), token.trim());
  saveConfig(
    ctx.db(),
    base,
    intervalMinutes ?? readState(ctx.db())?.interval_minutes ?? DEFAULT_INTERVAL_MINUTES,
  );
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'settings' });
  return statusOf(readState(ctx.db()));
};

const disconnect: Handler<'collector.disconnect'> = async (_args, ctx) => {
  await ctx.secrets.delete(tokenSecretName(ctx.workspace));
  ctx.db().prepare('DELETE FROM collector_state').run();
  return { ok: true };
};

export const collectorHandlers = {
  'collector.configure': configure,
  'collector.disconnect': disconnect,
  'collector.status': ((_args, ctx) => statusOf(readState(ctx.db()))) as Handler<'collector.status'>,
  'collector.sync': ((_args, ctx) => pullFromCollector(ctx)) as Handler<'collector.sync'>,
  'collector.tokens.create': (({ name }, ctx) =>
    createToken(ctx.db(), ctx.workspace, name)) as Handler<'collector.tokens.create'>,
  'collector.tokens.list': ((_args, ctx) => listTokens(ctx.db())) as Handler<'collector.tokens.list'>,
  'collector.tokens.revoke': (({ id }, ctx) => {
    revokeToken(ctx.db(), id);
    return { ok: true as const };
  }) as Handler<'collector.tokens.revoke'>,
};

/** Operations of the GET /v1/sync route (src/core/collector/routes.ts), called through host.internal. */
export const collectorInternalHandlers: InternalHandlers = {
  'collector.authorize': (args, ctx) => {
    const token = (args as { token?: unknown })?.token;
    const id = typeof token === 'string' ? findLiveToken(ctx.db(), token) : null;
    if (!id) throw new ApiError('unauthorized', 'Missing, wrong or revoked read token');
    touchToken(ctx.db(), id);
    return { ok: true };
  },
  /** POST /v1/conversions/sent: the body as received, checked here (handover.ts). */
  'collector.conversionsSent': (args, ctx) => recordSentElsewhere(ctx.db(), parseSentConversions(args)),
  'collector.page': (args, ctx) => {
    const a = (args ?? {}) as { after?: unknown; limit?: unknown; count?: unknown };
    const after = decodeCursor(typeof a.after === 'string' ? a.after : '');
    const limit = typeof a.limit === 'number' && Number.isInteger(a.limit) && a.limit > 0 ? a.limit : 500;
    const db = ctx.db();
    // One read transaction: the page and the count see the same snapshot.
    return db.transaction(() => ({
      page: readPage(db, after, limit),
      remaining: a.count ? remainingAfter(db, after) : 0,
    }))();
  },
};
