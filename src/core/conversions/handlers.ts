import { DateTime } from 'luxon';
import type { ConversionSettings, ConversionStatus } from '../../shared/contract/conversions';
import { ApiError } from '../../shared/contract/errors';
import { resolvePhone } from '../attribution/business-numbers';
import { readSettings as readAttributionSettings } from '../attribution/config';
import { readState as readCollectorState } from '../collector/state';
import type { Db } from '../db/open';
import { getSetting } from '../db/settings';
import type { CoreContext, Handler } from '../kernel/context';
import { connectionMethod } from '../meta/connection';
import { GraphClient } from '../meta/graph-client';
import { graphConfig, TOKEN_SECRET } from '../meta/settings';
import { secretName } from '../secrets/secret-store';
import { findDataset } from './capi-client';
import { countByState, listEntries } from './outbox';
import { planWindow, withdrawUnmapped } from './plan';
import { sendConversions } from './send';
import { withSendLease } from './send-lease';
import {
  datasetsByNumber,
  mappingsForDisplay,
  readCapiSettings,
  removeMapping,
  saveDataset,
  setMapping,
  setNumberWaba,
  suggestedMappings,
  wabaOf,
  writeCapiSettings,
} from './settings';

// Conversions to Meta (docs/conversions-api.md). The Meta token is read from ctx.secrets here and handed only
// to GraphClient (a header); no handler returns, logs or stores it elsewhere.

const nowS = () => Math.floor(Date.now() / 1000);

/**
 * The feed cursor of a workspace that is a PostgreSQL collector's copy (src/core/pg/conversions-round.ts):
 * only the `serve --database` process holding the workspace's lease sends from it.
 */
export const PG_COPY_CURSOR = 'pg.feedCursor';

/** Set by `insights serve`: this installation runs around the clock (the sender line says so). */
export const SERVING_ENV = 'INSIGHTS_SERVING';

/** The collector sends when one is configured; this installation otherwise (docs/conversions-api.md, "Who sends"). */
function senderOf(db: Db): ConversionSettings['sender'] {
  const collector = readCollectorState(db);
  return collector
    ? { kind: 'collector', collectorUrl: collector.url, serving: false }
    : { kind: 'this', collectorUrl: null, serving: process.env[SERVING_ENV] === '1' };
}

function settingsOf(db: Db): ConversionSettings {
  const s = readCapiSettings(db);
  return {
    enabled: s.enabled,
    sendFrom: s.sendFrom === null ? null : new Date(s.sendFrom * 1000).toISOString(),
    testEventCode: s.testEventCode,
    mappings: mappingsForDisplay(db),
    suggested: suggestedMappings(db),
    datasets: datasetsByNumber(db),
    sender: senderOf(db),
  };
}

function changed(ctx: CoreContext): void {
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'settings' });
}

/** Settings that change what is queued re-plan the window at once, so the status shows it. */
function replan(ctx: CoreContext): void {
  const db = ctx.db();
  if (senderOf(db).kind === 'this') {
    withdrawUnmapped(db, Date.now());
    planWindow(db, nowS());
  }
}

const settings: Handler<'conversions.settings'> = (_args, ctx) => settingsOf(ctx.db());

const configure: Handler<'conversions.configure'> = (args, ctx) => {
  const db = ctx.db();
  db.transaction(() => writeCapiSettings(db, args, nowS()))();
  if (args.enabled) replan(ctx);
  changed(ctx);
  return settingsOf(db);
};

const map: Handler<'conversions.map'> = ({ eventId, metaEvent, value }, ctx) => {
  const db = ctx.db();
  setMapping(db, { eventKey: eventId, metaEvent, withValue: value ?? false });
  replan(ctx);
  changed(ctx);
  return settingsOf(db);
};

const unmap: Handler<'conversions.unmap'> = ({ eventId }, ctx) => {
  const db = ctx.db();
  removeMapping(db, eventId);
  replan(ctx);
  changed(ctx);
  return settingsOf(db);
};

async function token(ctx: CoreContext): Promise<string> {
  if (connectionMethod(ctx.db()) === 'demo')
    throw new ApiError(
      'invalid_argument',
      'The demo workspace does not send to Meta: a dry run shows what would be sent',
    );
  const t = await ctx.secrets.get(secretName(ctx.workspace, TOKEN_SECRET));
  if (!t)
    throw new ApiError(
      'meta_needs_login',
      'Meta is not connected: connect first (Settings → Meta ads, or insights meta connect --token …)',
    );
  return t;
}

/** Sends go out one request at a time: Meta is not asked to wait, the outbox retries later instead. */
export async function metaClient(ctx: CoreContext): Promise<GraphClient> {
  return new GraphClient({
    ...graphConfig(ctx.db()),
    accessToken: await token(ctx),
    signal: ctx.signal,
    retry: { attempts: 2, baseMs: 500, factor: 2, maxMs: 10_000 },
    throttle: { attempts: 0, minWaitMs: 0 },
  });
}

const dataset: Handler<'conversions.dataset'> = async ({ phoneNumberId, wabaId, create }, ctx) => {
  const db = ctx.db();
  const phone = resolvePhone(db, phoneNumberId, 'phoneNumberId').id;
  const waba = wabaId ?? wabaOf(db, phone);
  if (!waba)
    throw new ApiError(
      'invalid_argument',
      `The WhatsApp Business Account of ${phone} is not known yet (deliveries from 360dialog's Cloud API carry it): enter it (--waba)`,
      'wabaId',
    );
  const id = await findDataset(await metaClient(ctx), waba, create ?? false);
  // Meta knows the account (it answered without an error): keep it for this number, dataset or not.
  if (wabaId) setNumberWaba(db, phone, wabaId);
  if (!id)
    throw new ApiError(
      'not_found',
      `WhatsApp Business Account ${waba} has no dataset yet: create one (--create, or "Find or create dataset")`,
    );
  saveDataset(db, waba, id, Date.now());
  replan(ctx);
  changed(ctx);
  return (
    datasetsByNumber(db).find((d) => d.phoneNumberId === phone) ?? {
      phoneNumberId: phone,
      displayNumber: null,
      wabaId: waba,
      datasetId: id,
    }
  );
};

const send: Handler<'conversions.send'> = async ({ dryRun, testEventCode }, ctx) => {
  const db = ctx.db();
  const sender = senderOf(db);
  if (sender.kind === 'collector' && !dryRun)
    throw new ApiError(
      'conflict',
      `The collector at ${sender.collectorUrl} sends this workspace's conversions: this installation never sends them too`,
    );
  if (!dryRun && getSetting<string | null>(db, PG_COPY_CURSOR, null) !== null)
    throw new ApiError(
      'conflict',
      'This workspace is the copy a PostgreSQL collector sends from: `insights serve --database …` sends it (the process holding its lease), never a command',
    );
  if (!readCapiSettings(db).enabled && !dryRun)
    throw new ApiError('invalid_argument', 'Conversions to Meta are off: turn them on first');
  const run = async () =>
    sendConversions({
      db,
      // A dry run uses the token, when there is one, only to look up datasets not stored yet.
      client: dryRun ? await metaClient(ctx).catch(() => null) : await metaClient(ctx),
      dryRun: dryRun ?? false,
      testEventCode: testEventCode ?? null,
      now: Date.now,
      signal: ctx.signal,
      progress: (f, d) => ctx.progress(f, d),
    });
  try {
    return dryRun ? await run() : await withSendLease(ctx, run);
  } finally {
    if (!dryRun) ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'settings' });
  }
};

/** A range of local dates (the workspace's time zone, as the report's) as [fromS, toS) in Unix seconds. */
function range(db: Db, r: { from: string; to: string } | undefined): { fromS?: number; toS?: number } {
  if (!r) return {};
  const zone = readAttributionSettings(db).timezone;
  const start = (d: string) => DateTime.fromISO(d, { zone }).startOf('day');
  return { fromS: start(r.from).toSeconds(), toS: start(r.to).plus({ days: 1 }).toSeconds() };
}

const status: Handler<'conversions.status'> = ({ range: r, source }, ctx): ConversionStatus => {
  const db = ctx.db();
  const errors = db
    .prepare(
      `SELECT max(at) AS at, error AS message, COUNT(*) AS count FROM capi_sends WHERE ok = 0 AND at >= ?
        GROUP BY error ORDER BY at DESC LIMIT 5`,
    )
    .all(Date.now() - 7 * 86_400_000) as { at: number; message: string; count: number }[];
  const lastSendAt = getSetting<number | null>(db, 'capi.lastSendAt', null);
  const needsLogin =
    (db.prepare('SELECT needs_login FROM meta_connection WHERE id = 1').pluck().get() as
      | number
      | undefined) === 1;
  return {
    ...countByState(db, { ...range(db, r), ...(source ? { source } : {}) }),
    range: r ?? null,
    lastError: errors[0]?.message ?? null,
    lastErrors: errors.map((e) => ({ at: new Date(e.at).toISOString(), message: e.message, count: e.count })),
    lastSendAt: lastSendAt === null ? null : new Date(lastSendAt).toISOString(),
    needsLogin,
    enabled: readCapiSettings(db).enabled,
    sender: senderOf(db),
  };
};

const list: Handler<'conversions.list'> = ({ state, source, limit, offset }, ctx) =>
  listEntries(ctx.db(), { state, source, limit: limit ?? 100, offset: offset ?? 0 });

export const conversionsHandlers = {
  'conversions.settings': settings,
  'conversions.configure': configure,
  'conversions.map': map,
  'conversions.unmap': unmap,
  'conversions.dataset': dataset,
  'conversions.send': send,
  'conversions.status': status,
  'conversions.list': list,
};
