import type { DateTime } from 'luxon';
import { type DemoAd, makeAds } from './generator/ads';
import { DEMO_PHONES, type DemoPhone, KEYWORDS } from './generator/brand';
import { ContactPool } from './generator/contacts';
import { offlinePurchases } from './generator/events';
import { toPayloads } from './generator/payloads';
import {
  type DemoExternalEvent,
  DemoRecorder,
  type DemoSendRecord,
  type Generation,
} from './generator/recorder';
import {
  adConversations,
  keywordConversations,
  type NumberDay,
  organicConversations,
  templateCampaign,
} from './generator/sources';
import { createRandom } from './random';

// The demo dataset: a skincare brand with two WhatsApp numbers, 25 months of Click-to-WhatsApp ads,
// wa.me keyword links, organic messages and template campaigns. Everything is produced as 360dialog
// would deliver it (Cloud API webhook payloads,
// https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples), plus the send log,
// external events and Meta spend that a real workspace would import or sync. The steps live in
// ./generator: spend (ads.ts), contacts, conversations per source (sources.ts, conversation.ts),
// external events (events.ts) and the webhook deliveries (payloads.ts). They share one random sequence,
// so their order here is part of the data (tests/unit/demo/generate.test.ts pins it per seed).

export const DEMO_TIMEZONE = 'Europe/Berlin';
/** Months of history: every preset up to 12 months has a whole previous period before it, and then some. */
export const DEMO_MONTHS = 25;
/**
 * Volume of the demo (1 ≈ 20,000 conversations a year): about 10,000 a year for two numbers keeps the
 * re-dating of a new demo (a rebuild of every derived table) within a few seconds on a small machine.
 */
export const DEMO_SCALE = 0.5;

export interface DemoData {
  phones: DemoPhone[];
  ads: DemoAd[];
  keywords: string[];
  payloads: unknown[];
  sendLog: DemoSendRecord[];
  externalEvents: DemoExternalEvent[];
  conversations: number;
  messages: number;
}

export interface GenerateOptions {
  seed: number;
  /** "now" for the dataset; data ends here. */
  now: DateTime;
  /** Scales conversation volume (1 ≈ 20,000 conversations a year). */
  scale?: number;
}

export function generateDemo(options: GenerateOptions): DemoData {
  const rnd = createRandom(options.seed);
  const scale = options.scale ?? 1;
  const now = options.now.setZone(DEMO_TIMEZONE);
  const nowUnix = Math.floor(now.toSeconds());
  const firstDay = now.startOf('day').minus({ months: DEMO_MONTHS });
  const days: DateTime[] = [];
  for (let d = firstDay; d <= now; d = d.plus({ days: 1 })) days.push(d);

  const ads = makeAds(rnd, days);
  const recorder = new DemoRecorder();
  const g: Generation = { rnd, contacts: new ContactPool(rnd), recorder, nowUnix };

  days.forEach((day, dayIndex) => {
    const growth = 0.7 + 0.6 * (dayIndex / days.length);
    const weekday = day.weekday >= 6 ? 0.75 : 1;
    const dateKey = day.toISODate()!;
    for (const phone of DEMO_PHONES) {
      const share = phone === DEMO_PHONES[0] ? 0.6 : 0.4;
      const nd: NumberDay = { day, dayIndex, dateKey, phone, base: scale * growth * weekday * share * 4 };
      adConversations(g, nd, ads, scale);
      keywordConversations(g, nd);
      organicConversations(g, nd);
      // Template campaigns: the business sends on Tuesdays and Thursdays.
      if (day.weekday === 2 || day.weekday === 4) templateCampaign(g, nd);
    }
  });
  offlinePurchases(g, days, scale);

  // Late follow-ups and reactions of today's conversations may lie in the future: they have not arrived yet.
  const arrived = recorder.items.filter((i) => i.ts <= nowUnix).sort((a, b) => a.ts - b.ts);
  return {
    phones: DEMO_PHONES,
    ads,
    keywords: KEYWORDS,
    payloads: toPayloads(arrived),
    sendLog: recorder.sendLog,
    externalEvents: recorder.externalEvents.sort((a, b) => a.timestamp - b.timestamp),
    conversations: recorder.conversations,
    messages: arrived.filter((i) => i.kind === 'message').length,
  };
}
