import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import type { CoreContext, Handler, InternalHandler, InternalHandlers } from '../kernel/context';
import { getState, parseSettingValue, readSettings, revertToApplied, writeSetting } from './config';
import { dayOfDate, isValidIsoDate } from './days';
import { conversationTimeline, sourceConversations } from './drilldown';
import { keywordOf } from './normalize';
import { rebuildDerived, rebuildNeeded, releaseStoppedRebuild } from './rebuild';
import { resolveTimezone } from './report/context';
import type { ManualEntry } from './report/invested';
import { buildDashboard, buildReport, listEvents, listSources } from './report/report';
import { templateDelivery } from './report/template-delivery';
import { importSpend } from './spend-import';

const reportGet: Handler<'report.get'> = (args, ctx) => buildReport(ctx.db(), args);
const reportSources: Handler<'report.sources'> = (args, ctx) => listSources(ctx.db(), args);
const eventsList: Handler<'events.list'> = (args, ctx) => listEvents(ctx.db(), args);
const reportDashboard: Handler<'report.dashboard'> = (args, ctx) => buildDashboard(ctx.db(), args);

const iso = (ms: number) => new Date(ms).toISOString();

function settingsOf(db: Db) {
  return { ...readSettings(db), rebuildPending: rebuildNeeded(db) };
}

/**
 * Applies derivation settings with a rebuild when they changed; the old result stays readable meanwhile.
 * A cancelled rebuild puts the settings back to what the tables were built with: no change half made.
 */
async function applyDerivation(ctx: CoreContext): Promise<boolean> {
  const db = ctx.db();
  if (!rebuildNeeded(db)) return false;
  try {
    await rebuildDerived(db, {
      onlyIf: () => rebuildNeeded(db),
      progress: (f, d) => ctx.progress(f, d),
      signal: ctx.signal,
      yield: () => ctx.yield(),
    });
  } catch (err) {
    if (ctx.signal.aborted) {
      revertToApplied(db);
      ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'settings' });
    }
    throw err;
  }
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'all' });
  return true;
}

/**
 * After the host stopped a rebuild job's worker (it did not stop by itself in time): release the
 * rebuild that thread had claimed and put the settings back, as a cancel that stopped by itself does.
 */
const rebuildRecover: InternalHandler = (args, ctx) => {
  const { stoppedThreads } = args as { stoppedThreads: number[] };
  const db = ctx.db();
  releaseStoppedRebuild(db, stoppedThreads);
  if (rebuildNeeded(db) && !getState(db, 'rebuild')) {
    revertToApplied(db);
    ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'settings' });
  }
  return { ok: true };
};

export const attributionInternalHandlers: InternalHandlers = { 'rebuild.recover': rebuildRecover };

const sourcesRename: Handler<'sources.rename'> = ({ id, name }, ctx) => {
  const db = ctx.db();
  const trimmed = name.trim();
  if (trimmed === '') db.prepare('DELETE FROM attr_source_names WHERE source_key = ?').run(id);
  else {
    db.prepare(
      'INSERT INTO attr_source_names (source_key, name, updated_at) VALUES (?, ?, ?) ON CONFLICT(source_key) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at',
    ).run(id, trimmed, Date.now());
  }
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'sources' });
  return { ok: true as const };
};

/** A stored manual Invested entry; the same row the report prorates. */
type InvestmentRow = ManualEntry;
const toInvestment = (r: InvestmentRow) => ({
  id: r.id,
  sourceId: r.source_key,
  amount: r.amount,
  currency: r.currency,
  from: r.from_date,
  to: r.to_date,
  savedAt: iso(r.saved_at),
});

const sourcesInvest: Handler<'sources.invest'> = (args, ctx) => {
  if (!isValidIsoDate(args.from))
    throw new ApiError('invalid_argument', `"${args.from}" is not a valid date`, 'from');
  if (!isValidIsoDate(args.to))
    throw new ApiError('invalid_argument', `"${args.to}" is not a valid date`, 'to');
  if (dayOfDate(args.from) > dayOfDate(args.to))
    throw new ApiError('invalid_argument', 'from must not be after to', 'from');
  const db = ctx.db();
  const id = Number(
    db
      .prepare(
        'INSERT INTO attr_investments (source_key, amount, currency, from_date, to_date, saved_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(args.id, args.amount, args.currency, args.from, args.to, Date.now()).lastInsertRowid,
  );
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'spend' });
  return toInvestment(db.prepare('SELECT * FROM attr_investments WHERE id = ?').get(id) as InvestmentRow);
};

const sourcesInvestments: Handler<'sources.investments'> = ({ id }, ctx) =>
  (
    ctx
      .db()
      .prepare(
        `SELECT * FROM attr_investments ${id === undefined ? '' : 'WHERE source_key = ?'} ORDER BY id DESC`,
      )
      .all(...(id === undefined ? [] : [id])) as InvestmentRow[]
  ).map(toInvestment);

const sourcesInvestmentDelete: Handler<'sources.investmentDelete'> = ({ id }, ctx) => {
  const r = ctx.db().prepare('DELETE FROM attr_investments WHERE id = ?').run(id);
  if (r.changes === 0) throw new ApiError('not_found', `No invested entry ${id}`, 'id');
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'spend' });
  return { ok: true as const };
};

const spendImport: Handler<'spend.import'> = ({ csv, fileName }, ctx) => {
  const r = importSpend(ctx.db(), csv, fileName ?? null);
  if (r.added + r.replaced > 0) ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'spend' });
  return r;
};

const sourcesConversations: Handler<'sources.conversations'> = (args, ctx) =>
  sourceConversations(ctx.db(), args);

const sourcesDelivery: Handler<'sources.delivery'> = (args, ctx) => templateDelivery(ctx.db(), args);

const conversationsTimeline: Handler<'conversations.timeline'> = ({ id }, ctx) => {
  const db = ctx.db();
  return conversationTimeline(db, id, resolveTimezone(db, undefined));
};

const keywordsAdd: Handler<'keywords.add'> = async ({ keyword }, ctx) => {
  const k = keywordOf(keyword);
  ctx
    .db()
    .prepare('INSERT OR IGNORE INTO attr_keywords (keyword, added_at) VALUES (?, ?)')
    .run(k, Date.now());
  return { keyword: k, rebuilt: await applyDerivation(ctx) };
};

const keywordsRemove: Handler<'keywords.remove'> = async ({ keyword }, ctx) => {
  const k = keywordOf(keyword);
  const r = ctx.db().prepare('DELETE FROM attr_keywords WHERE keyword = ?').run(k);
  if (r.changes === 0) throw new ApiError('not_found', `"${k}" is not a tracked keyword`, 'keyword');
  return { keyword: k, rebuilt: await applyDerivation(ctx) };
};

const keywordsList: Handler<'keywords.list'> = (_args, ctx) =>
  (
    ctx.db().prepare('SELECT keyword, added_at FROM attr_keywords ORDER BY keyword').all() as {
      keyword: string;
      added_at: number;
    }[]
  ).map((r) => ({ keyword: r.keyword, addedAt: iso(r.added_at) }));

const settingsGet: Handler<'settings.get'> = (_args, ctx) => settingsOf(ctx.db());

const settingsSet: Handler<'settings.set'> = async ({ key, value }, ctx) => {
  const db = ctx.db();
  writeSetting(db, key, parseSettingValue(key, value));
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'settings' });
  const rebuilt = await applyDerivation(ctx);
  return { ...settingsOf(db), rebuilt };
};

const settingsApplyDerivation: Handler<'settings.applyDerivation'> = async (_args, ctx) => ({
  rebuilt: await applyDerivation(ctx),
});

export const reportHandlers = {
  'report.get': reportGet,
  'report.sources': reportSources,
  'events.list': eventsList,
  'report.dashboard': reportDashboard,
};

export const sourcesHandlers = {
  'sources.rename': sourcesRename,
  'sources.invest': sourcesInvest,
  'sources.investments': sourcesInvestments,
  'sources.investmentDelete': sourcesInvestmentDelete,
  'spend.import': spendImport,
  'sources.conversations': sourcesConversations,
  'sources.delivery': sourcesDelivery,
  'conversations.timeline': conversationsTimeline,
  'keywords.add': keywordsAdd,
  'keywords.list': keywordsList,
  'keywords.remove': keywordsRemove,
  'settings.get': settingsGet,
  'settings.set': settingsSet,
  'settings.applyDerivation': settingsApplyDerivation,
};
