import { randomBytes } from 'node:crypto';
import type { DateTime } from 'luxon';
import { normalizeText } from '../attribution/normalize';
import type { Db } from '../db/open';
import { setSetting } from '../db/settings';
import { storeTemplates } from '../dialog360/templates';
import { hashSecret } from '../ingest/channels';
import { storeExternalEvents } from '../ingest/external-events';
import { ingestPayloads } from '../ingest/ingest';
import { phoneDigits } from '../ingest/normalize';
import { storeOutgoingMessages } from '../ingest/outgoing';
import { linkNumbers } from '../meta/accounts';
import { buildMetaFixture, syncFromFixture } from '../meta/demo-graph';
import { DEMO_MONTHS, DEMO_SCALE, DEMO_TIMEZONE, type DemoData, generateDemo } from './generate';
import { DEMO_CURRENCY, TEMPLATES } from './generator/brand';

const CHUNK = 2000;

export interface DemoSteps {
  /** Progress 0..1 of this build; throws when the build was cancelled. */
  step(fraction: number, detail: string): void;
  yield(): Promise<void>;
}

/**
 * Fills an empty workspace database with the demo dataset through the real paths: the send log through
 * the send-log store, webhook payloads through ingestPayloads exactly as deliveries, purchases through
 * the external-event store, and ad spend through the Meta client against a Graph simulator. Channels and
 * message templates are stored as `channels add` and a template sync would store them.
 */
export async function ingestDemo(
  db: Db,
  options: { seed: number; now: DateTime; scale?: number },
  steps: DemoSteps,
): Promise<{ conversations: number; messages: number }> {
  const { now } = options;
  steps.step(0, 'Generating two years of demo conversations');
  await steps.yield();
  const data = generateDemo({ seed: options.seed, now, scale: options.scale ?? DEMO_SCALE });
  db.transaction(() => {
    setSetting(db, 'timezone', DEMO_TIMEZONE);
    setSetting(db, 'currency', DEMO_CURRENCY);
    setSetting(db, 'isDemo', true);
    const addKeyword = db.prepare('INSERT OR IGNORE INTO attr_keywords (keyword, added_at) VALUES (?, ?)');
    for (const k of data.keywords) addKeyword.run(normalizeText(k), now.toMillis());
    storeDemoChannels(db, data, now.toMillis());
  })();

  steps.step(0.03, 'Importing the send log of template campaigns');
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

  await feedPayloads(db, data, steps);
  // Webhooks carry no verified name; a real workspace gets it from its channels (channels add --name).
  const rename = db.prepare('UPDATE business_numbers SET name = ? WHERE phone_number_id = ?');
  for (const p of data.phones) rename.run(p.name, p.phoneNumberId);

  steps.step(0.88, 'Receiving purchases and sign-ups');
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

  steps.step(0.92, 'Syncing ad names and spend from the demo Meta ad account');
  await steps.yield();
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
    from: now.setZone(DEMO_TIMEZONE).minus({ months: DEMO_MONTHS }).toISODate()!,
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
  return { conversations: data.conversations, messages: data.messages };
}

/**
 * The demo's 360dialog channels and their templates. A channel's webhook secret is random and thrown
 * away (only its hash is stored, as for a real channel): nothing can deliver into the demo, and no secret
 * goes to the SecretStore. No 360dialog API key either, so nothing is ever sent to 360dialog.
 */
function storeDemoChannels(db: Db, data: DemoData, nowMs: number): void {
  const add = db.prepare(
    'INSERT INTO channels (phone_number_id, name, secret_hash, has_api_key, created_at) VALUES (?, ?, ?, 0, ?)',
  );
  for (const p of data.phones) {
    add.run(p.phoneNumberId, p.name, hashSecret(randomBytes(24).toString('base64url')), nowMs);
    storeTemplates(
      db,
      p.phoneNumberId,
      TEMPLATES.map((t) => ({
        name: t.name,
        language: 'en',
        status: 'approved',
        category: 'MARKETING',
        // Component shapes as 360dialog returns them (GET /v1/configs/templates).
        components: [
          { type: 'BODY', text: 'Hi {{1}}, something new from Lumen Skincare ✨' },
          { type: 'BUTTONS', buttons: t.buttons.map((b) => ({ type: 'QUICK_REPLY', text: b.title })) },
        ],
      })),
      nowMs,
    );
  }
}

async function feedPayloads(db: Db, data: DemoData, steps: DemoSteps): Promise<void> {
  const total = data.payloads.length;
  for (let i = 0; i < total; i += CHUNK) {
    const chunk = data.payloads.slice(i, i + CHUNK).map((body) => ({ body, origin: 'demo' as const }));
    ingestPayloads(db, chunk);
    steps.step(
      0.05 + 0.83 * ((i + chunk.length) / total),
      `Receiving webhook deliveries ${i + chunk.length} / ${total}`,
    );
    await steps.yield();
  }
}
