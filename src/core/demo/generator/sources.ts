import type { DateTime } from 'luxon';
import { poisson } from '../random';
import type { DemoAd } from './ads';
import { DEMO_PHONES, type DemoPhone, KEYWORDS, ORGANIC_TEXTS, TEMPLATES } from './brand';
import { continueConversation, startTime } from './conversation';
import type { Generation } from './recorder';

// The conversations of one number on one day, one function per kind of source. The generator calls them
// in a fixed order (ads, keywords, organic, templates): the order of the random draws is the data.

export interface NumberDay {
  day: DateTime;
  /** Days since the first day of the dataset. */
  dayIndex: number;
  /** YYYY-MM-DD of `day`. */
  dateKey: string;
  phone: DemoPhone;
  /** Expected first messages per unit of weight (volume × growth × weekday × the number's share). */
  base: number;
}

/** Click-to-WhatsApp ads: conversations follow the day's spend (about 4.20 EUR each). */
export function adConversations(g: Generation, nd: NumberDay, ads: DemoAd[], scale: number): void {
  const { rnd, contacts, recorder, nowUnix } = g;
  const { day, dateKey, phone } = nd;
  for (const ad of ads) {
    const spend = ad.dailySpend[dateKey];
    if (!spend || ad.phoneNumberId !== phone.phoneNumberId || ad.adName.includes('Awareness')) continue;
    const n = poisson(rnd, (spend / 4.2) * scale);
    for (let i = 0; i < n; i++) {
      const ts = startTime(rnd, day);
      if (ts > nowUnix) continue;
      const contact = contacts.contactFor(phone);
      recorder.conversations++;
      recorder.inbound(phone, contact, ts, {
        type: 'text',
        text: {
          body: rnd.pick([
            'Hi! I want to know more about this',
            'Hello, is this still available?',
            'Can I get more info?',
          ]),
        },
        referral: {
          source_url: `https://fb.me/${ad.adId.slice(-6)}`,
          source_id: ad.adId,
          source_type: 'ad',
          headline: ad.headline,
          body: ad.body,
          media_type: 'image',
          image_url: 'https://example.invalid/ad.jpg',
          ctwa_clid: `ARA${ad.adId.slice(-4)}${recorder.messageCount}`,
          welcome_message: { text: 'Hi! Thanks for your interest in Lumen 🌿' },
        },
      });
      continueConversation(g, phone, contact, ts, 1.2);
    }
  }
}

/** wa.me links and QR codes with a prefilled keyword. */
export function keywordConversations(g: Generation, nd: NumberDay): void {
  const { rnd, contacts, recorder, nowUnix } = g;
  const { day, phone, base } = nd;
  for (const [keyword, weight] of [
    [KEYWORDS[0]!, 5],
    [KEYWORDS[1]!, 3],
    [KEYWORDS[2]!, 2],
    [KEYWORDS[3]!, 2],
  ] as const) {
    const n = poisson(rnd, (base * weight) / 3);
    for (let i = 0; i < n; i++) {
      const ts = startTime(rnd, day);
      if (ts > nowUnix) continue;
      const contact = contacts.contactFor(phone);
      recorder.conversations++;
      const text = rnd.pick([
        `Hi! I'd like the ${keyword} offer`,
        `${keyword}`,
        `Hello, code ${keyword} please 😊`,
      ]);
      recorder.inbound(phone, contact, ts, { type: 'text', text: { body: text } });
      continueConversation(g, phone, contact, ts, 1.4);
    }
  }
}

/** Organic first messages. */
export function organicConversations(g: Generation, nd: NumberDay): void {
  const { rnd, contacts, recorder, nowUnix } = g;
  const { day, phone, base } = nd;
  const organic = poisson(rnd, base * 3.5);
  for (let i = 0; i < organic; i++) {
    const ts = startTime(rnd, day);
    if (ts > nowUnix) continue;
    const contact = contacts.contactFor(phone);
    recorder.conversations++;
    if (rnd.chance(0.06))
      recorder.inbound(phone, contact, ts, {
        type: 'image',
        image: { id: `media-${recorder.messageCount}`, mime_type: 'image/jpeg', sha256: 'x' },
      });
    else recorder.inbound(phone, contact, ts, { type: 'text', text: { body: rnd.pick(ORGANIC_TEXTS) } });
    continueConversation(g, phone, contact, ts, 0.6);
  }
}

/** Errors of failed template sends in the demo (code, title as the status webhook carries them). */
const FAILURES = [
  { code: 131026, title: 'Message undeliverable' },
  { code: 131049, title: 'This message was not delivered to maintain healthy ecosystem engagement.' },
  { code: 131026, title: 'Message undeliverable' },
];

/** A template campaign on a send day: each send's statuses; replies follow within two days. */
export function templateCampaign(g: Generation, nd: NumberDay): void {
  const { rnd, contacts, recorder, nowUnix } = g;
  const { day, dayIndex, phone, base } = nd;
  const template =
    TEMPLATES[(Math.floor(dayIndex / 30) + (phone === DEMO_PHONES[0] ? 0 : 1)) % TEMPLATES.length]!;
  const sends = poisson(rnd, base * 14);
  for (let i = 0; i < sends; i++) {
    const sentAt = Math.floor(day.set({ hour: 10, minute: rnd.int(0, 30) }).toSeconds());
    if (sentAt > nowUnix) continue;
    const contact = contacts.contactFor(phone);
    const id = recorder.businessMessageId();
    // 10% are sent from another tool: no send-log entry, so the reply shows by its button id.
    if (rnd.chance(0.9))
      recorder.sendLog.push({
        messageId: id,
        phoneNumberId: phone.phoneNumberId,
        to: contact.waId,
        templateName: template.name,
        sentAt,
        buttons: template.buttons,
      });
    let st = sentAt;
    const statuses: [number, 'sent' | 'delivered' | 'read'][] = [];
    for (const status of ['sent', 'delivered', 'read'] as const) {
      st += rnd.int(1, status === 'read' ? 7_200 : 30);
      if (st > nowUnix || (status === 'read' && rnd.chance(0.3))) break;
      statuses.push([st, status]);
    }
    const replies = rnd.chance(0.32);
    // About one send in 20 without a reply fails (decided without drawing, so the rest of the demo stays
    // as it was): an unreachable number, or Meta's per-user marketing limit. Codes:
    // https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
    const failure = !replies && statuses.length > 0 && i % 13 === 5 ? FAILURES[i % FAILURES.length]! : null;
    if (failure)
      recorder.status(phone, statuses[0]![0], {
        id,
        status: 'failed',
        timestamp: String(statuses[0]![0]),
        recipient_id: contact.waId,
        errors: [failure],
      });
    else
      for (const [ts, status] of statuses)
        recorder.status(phone, ts, {
          id,
          status,
          timestamp: String(ts),
          recipient_id: contact.waId,
          pricing: { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' },
        });
    if (!replies) continue;
    const replyAt = sentAt + rnd.int(120, 86_400 * 2);
    if (replyAt > nowUnix) continue;
    recorder.conversations++;
    const button = rnd.chance(0.8) ? template.buttons[0]! : template.buttons[1]!;
    recorder.inbound(phone, contact, replyAt, {
      type: 'button',
      button: { payload: button.id, text: button.title },
      context: { from: phone.digits, id },
    });
    if (button === template.buttons[0]) continueConversation(g, phone, contact, replyAt, 1.3);
  }
}
