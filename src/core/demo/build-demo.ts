import { DateTime } from 'luxon';
import { normalizeText } from '../attribution/normalize';
import type { Db } from '../db/open';
import { setSetting } from '../db/settings';
import type { CoreContext } from '../host/context';
import { storeExternalEvents } from '../ingest/external-events';
import { ingestPayloads } from '../ingest/ingest';
import { phoneDigits } from '../ingest/normalize';
import { storeOutgoingMessages } from '../ingest/outgoing';
import { linkNumbers } from '../meta/accounts';
import { buildMetaFixture, syncFromFixture } from '../meta/fixture';
import { DEMO_WORKSPACE } from '../workspace/workspaces';
import { DEMO_CURRENCY, DEMO_TIMEZONE, type DemoData, generateDemo } from './generate';

const CHUNK = 2000;

/**
 * Rebuilds the demo workspace through the real paths: the send log through the send-log store, webhook
 * payloads through ingestPayloads exactly as deliveries, purchases through the external-event store,
 * and ad spend through the Meta client against a recorded Graph fixture. The workspace is emptied in
 * place rather than deleted, so connections other lanes hold stay valid and see the new data at once.
 */
export async function buildDemo(
  ctx: CoreContext,
  options: { seed: number; now?: DateTime; scale?: number },
): Promise<{ workspace: string; conversations: number; messages: number }> {
  const now = options.now ?? DateTime.now();
  const step = (fraction: number, detail: string) => {
    if (ctx.signal.aborted) throw Object.assign(new Error('Cancelled'), { name: 'AbortError' });
    ctx.progress(fraction, detail);
  };
  step(0, 'Generating a year of demo conversations');
  await ctx.yield();
  const data = generateDemo({ seed: options.seed, now, scale: options.scale ?? 1 });
  const db = ctx.dbFor(DEMO_WORKSPACE);
  emptyWorkspace(db);
  db.transaction(() => {
    setSetting(db, 'timezone', DEMO_TIMEZONE);
    setSetting(db, 'currency', DEMO_CURRENCY);
    setSetting(db, 'isDemo', true);
    const addKeyword = db.prepare('INSERT OR IGNORE INTO attr_keywords (keyword, added_at) VALUES (?, ?)');
    for (const k of data.keywords) addKeyword.run(normalizeText(k), Date.now());
  })();

  step(0.03, 'Importing the send log of template campaigns');
  storeOutgoingMessages(
    db,
    data.sendLog.map((s) => ({
      id: s.messageId,
      phoneNumberId: s.phoneNumberId,
      contactId: s.to,
      templateName: s.templateName,
      sentAt: s.sentAt,
      buttons: s.buttons,
      origin: 'demo' as const,
    })),
  );

  await feedPayloads(ctx, db, data, step);
  // Webhooks carry no verified name; a real workspace gets it from its channels (channels add --name).
  const rename = db.prepare('UPDATE business_numbers SET name = ? WHERE phone_number_id = ?');
  for (const p of data.phones) rename.run(p.name, p.phoneNumberId);

  step(0.88, 'Receiving purchases and sign-ups');
  storeExternalEvents(
    db,
    data.externalEvents.map((e) => ({
      event: {
        action: e.action,
        contactId: phoneDigits(e.leadPhone) ?? e.leadPhone,
        ts: e.timestamp,
        revenueAmount: e.revenue?.amount ?? null,
        revenueCurrency: e.revenue ? e.revenue.currency : null,
        appId: e.appId ?? null,
        previousExternalEventId: null,
        eventId: e.eventId,
      },
      options: { origin: 'demo' as const, receivedAt: e.timestamp * 1000 },
    })),
  );

  step(0.92, 'Syncing ad names and spend from the demo Meta ad account');
  await ctx.yield();
  const today = now.setZone(DEMO_TIMEZONE).toISODate()!;
  // One ad account per number, as a brand running country pages would have; each linked to its number.
  const accounts = data.phones.map((p, i) => ({
    id: `act_10000000000000${i + 1}`,
    name: `${p.name} ads`,
    currency: DEMO_CURRENCY,
    timezone_name: DEMO_TIMEZONE,
    account_status: 1,
  }));
  const accountOf = (phoneNumberId: string) =>
    accounts[data.phones.findIndex((p) => p.phoneNumberId === phoneNumberId)]!.id;
  const fixture = buildMetaFixture({
    from: now.setZone(DEMO_TIMEZONE).minus({ months: 12 }).toISODate()!,
    to: today,
    accounts,
    ads: data.ads.map((ad) => ({
      ...ad,
      accountId: accountOf(ad.phoneNumberId),
      dailySpend: (date: string) => ad.dailySpend[date],
    })),
  });
  await syncFromFixture(db, fixture, { now: () => now.toMillis() });
  for (const [i, p] of data.phones.entries()) linkNumbers(db, accounts[i]!.id, [p.phoneNumberId]);

  ctx.emit({ type: 'data-changed', workspace: DEMO_WORKSPACE, what: 'all' });
  ctx.progress(1, 'Demo ready');
  return { workspace: DEMO_WORKSPACE, conversations: data.conversations, messages: data.messages };
}

async function feedPayloads(
  ctx: CoreContext,
  db: Db,
  data: DemoData,
  step: (fraction: number, detail: string) => void,
): Promise<void> {
  const total = data.payloads.length;
  for (let i = 0; i < total; i += CHUNK) {
    const chunk = data.payloads.slice(i, i + CHUNK).map((body) => ({ body, origin: 'demo' as const }));
    ingestPayloads(db, chunk);
    step(
      0.05 + 0.83 * ((i + chunk.length) / total),
      `Receiving webhook deliveries ${i + chunk.length} / ${total}`,
    );
    await ctx.yield();
  }
}

/** Deletes every row of every table but the migration record, in one transaction. */
function emptyWorkspace(db: Db): void {
  const tables = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'",
    )
    .all() as { name: string }[];
  db.transaction(() => {
    db.pragma('defer_foreign_keys = ON');
    for (const { name } of tables) db.exec(`DELETE FROM "${name.replaceAll('"', '""')}"`);
  })();
}
