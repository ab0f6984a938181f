import type { DateTime } from 'luxon';
import { createRandom, type Random } from './random';

// The demo dataset: a skincare brand with two WhatsApp numbers, 25 months of Click-to-WhatsApp ads,
// wa.me keyword links, organic messages and template campaigns. Everything is produced as 360dialog
// would deliver it (Cloud API webhook payloads, https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components), plus the
// send log, external events and Meta spend that a real workspace would import or sync.

export const DEMO_TIMEZONE = 'Europe/Berlin';
/** Months of history: every preset up to 12 months has a whole previous period before it, and then some. */
export const DEMO_MONTHS = 25;
/**
 * Volume of the demo (1 ≈ 20,000 conversations a year): about 10,000 a year for two numbers keeps the
 * re-dating of a new demo (a rebuild of every derived table) within a few seconds on a small machine.
 */
export const DEMO_SCALE = 0.5;
export const DEMO_CURRENCY = 'EUR';

export interface DemoPhone {
  phoneNumberId: string;
  display: string;
  digits: string;
  name: string;
  wabaId: string;
  countryPrefix: string;
}

export interface DemoAd {
  adId: string;
  adName: string;
  adsetId: string;
  adsetName: string;
  campaignId: string;
  campaignName: string;
  phoneNumberId: string;
  headline: string;
  body: string;
  /** YYYY-MM-DD (account timezone) → spend in EUR */
  dailySpend: Record<string, number>;
}

export interface DemoSendRecord {
  messageId: string;
  phoneNumberId: string;
  to: string;
  templateName: string;
  sentAt: number;
  buttons: { title: string; id: string }[];
}

export interface DemoExternalEvent {
  eventId: string;
  action: string;
  leadPhone: string;
  timestamp: number;
  revenue?: { amount: number; currency: string };
  appId?: string;
}

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

export const DEMO_PHONES: DemoPhone[] = [
  {
    phoneNumberId: '109876543210001',
    display: '+49 30 12345678',
    digits: '493012345678',
    name: 'Lumen Skincare Berlin',
    wabaId: '201234567890001',
    countryPrefix: '49',
  },
  {
    phoneNumberId: '109876543210002',
    display: '+31 20 7654321',
    digits: '31207654321',
    name: 'Lumen Skincare Amsterdam',
    wabaId: '201234567890001',
    countryPrefix: '31',
  },
];

const KEYWORDS = ['GLOW25', 'STORE-QR', 'NEWSLETTER10', 'ANA-LOVES-LUMEN'];

const FIRST_NAMES = [
  'Anna',
  'Lukas',
  'Sofia',
  'Jonas',
  'Emma',
  'Noah',
  'Mia',
  'Finn',
  'Lena',
  'Milan',
  'Sanne',
  'Daan',
  'Julia',
  'Thijs',
  'Hannah',
  'Elif',
  'Mehmet',
  'Zoë',
  'Björn',
  'Chloé',
  'Aylin',
  'Jakub',
  'Fatima',
  'Yusuf',
  'Noor',
  'أحمد',
  'مريم',
  '李娜',
  'Ана',
  'Ζωή',
];
const LAST_NAMES = [
  'Müller',
  'de Vries',
  'Schmidt',
  'Jansen',
  'Weber',
  'Bakker',
  'Fischer',
  'Visser',
  'Wagner',
  'Smit',
  'Becker',
  'Meyer',
  'Yılmaz',
  'Kowalski',
  'van Dijk',
  'Hoffmann',
  '',
  '✨',
  '🌸',
];

const ORGANIC_TEXTS = [
  'Hi',
  'Hello',
  'Hallo!',
  'Do you ship to Austria?',
  'Is the vitamin C serum vegan?',
  'What are your opening hours?',
  'Hi, where is my order?',
  'Can I return a product?',
  'Goedemiddag',
  'Do you have gift cards?',
  'Which cream is good for dry skin?',
  'hello 👋',
  'Is there a discount for students?',
];
const FOLLOW_UPS = [
  'Thanks!',
  'How much is shipping?',
  'Great, thank you 🙏',
  'Is it available in 50ml?',
  'When will it arrive?',
  'Perfect',
  'Can I pay with PayPal?',
  'ok',
  'Do you have samples?',
  'Super, danke!',
];

export const TEMPLATES = [
  {
    name: 'spring_glow_launch',
    buttons: [
      { title: 'Shop now', id: 'SHOP_NOW' },
      { title: 'Not interested', id: 'STOP' },
    ],
  },
  {
    name: 'restock_alert',
    buttons: [
      { title: 'Reserve mine', id: 'RESERVE' },
      { title: 'Maybe later', id: 'LATER' },
    ],
  },
  {
    name: 'black_week_preview',
    buttons: [
      { title: 'Get early access', id: 'EARLY' },
      { title: 'Unsubscribe', id: 'UNSUB' },
    ],
  },
];

const LIST_ITEMS = [
  { id: 'kit-premium', title: 'Premium kit', description: 'Serum, cream and mask' },
  { id: 'kit-starter', title: 'Starter kit', description: 'Cleanser and day cream' },
  { id: 'kit-travel', title: 'Travel size', description: 'Minis for on the go' },
];

interface Item {
  ts: number;
  phone: DemoPhone;
  kind: 'message' | 'status';
  body: Record<string, unknown>;
  contact?: { waId: string; name: string };
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
  const items: Item[] = [];
  const sendLog: DemoSendRecord[] = [];
  const externalEvents: DemoExternalEvent[] = [];
  let msgCounter = 0;
  let conversations = 0;
  const wamid = () => `wamid.DEMO${(++msgCounter).toString(36).toUpperCase().padStart(8, '0')}`;

  // Contacts: mostly new people, some come back.
  const pool: Record<string, { waId: string; name: string }[]> = {};
  const contactFor = (phone: DemoPhone) => {
    const list = pool[phone.phoneNumberId] ?? [];
    pool[phone.phoneNumberId] = list;
    if (list.length > 50 && rnd.chance(0.18)) return rnd.pick(list);
    const prefix = rnd.chance(0.85) ? phone.countryPrefix : rnd.pick(['49', '31', '43', '32', '41', '44']);
    const waId = `${prefix}${prefix === '49' ? '15' : '6'}${String(rnd.int(10_000_000, 99_999_999))}`;
    const last = rnd.pick(LAST_NAMES);
    const c = { waId, name: `${rnd.pick(FIRST_NAMES)}${last ? ` ${last}` : ''}` };
    list.push(c);
    return c;
  };

  const inbound = (
    phone: DemoPhone,
    contact: { waId: string; name: string },
    ts: number,
    fields: Record<string, unknown>,
  ) => {
    const id = wamid();
    items.push({
      ts,
      phone,
      kind: 'message',
      contact,
      body: { from: contact.waId, id, timestamp: String(ts), ...fields },
    });
    return id;
  };

  const startTime = (day: DateTime): number => {
    // Business-hours weighted local time.
    const hour = rnd.weighted([
      [8, 2],
      [9, 4],
      [10, 6],
      [11, 7],
      [12, 8],
      [13, 7],
      [14, 6],
      [15, 6],
      [16, 6],
      [17, 7],
      [18, 8],
      [19, 9],
      [20, 9],
      [21, 7],
      [22, 4],
      [23, 2],
      [0, 1],
      [7, 1],
    ] as const);
    return Math.floor(day.set({ hour, minute: rnd.int(0, 59), second: rnd.int(0, 59) }).toSeconds());
  };

  /** The rest of a conversation after its first message: questions, conversions, purchases. */
  const continueConversation = (
    phone: DemoPhone,
    contact: { waId: string; name: string },
    start: number,
    propensity: number,
  ) => {
    let t = start;
    const followUps = rnd.int(0, 3);
    for (let i = 0; i < followUps; i++) {
      t += rnd.int(20, 900);
      if (rnd.chance(0.12))
        inbound(phone, contact, t, {
          type: 'image',
          image: { id: `media-${msgCounter}`, mime_type: 'image/jpeg', sha256: 'x' },
        });
      else inbound(phone, contact, t, { type: 'text', text: { body: rnd.pick(FOLLOW_UPS) } });
    }
    if (rnd.chance(0.05)) {
      inbound(phone, contact, t + rnd.int(60, 86_400 * 3), {
        type: 'reaction',
        reaction: { message_id: `wamid.BIZ${msgCounter}`, emoji: '❤️' },
      });
    }
    // The business answers with an interactive message (not re-delivered); the customer taps a button.
    if (rnd.chance(0.38 * propensity)) {
      t += rnd.int(60, 3_600);
      inbound(phone, contact, t, {
        type: 'interactive',
        interactive: {
          type: 'button_reply',
          button_reply: { id: 'book-consult', title: 'Book a consultation' },
        },
        context: { from: phone.digits, id: `wamid.BIZ${msgCounter}` },
      });
    }
    if (rnd.chance(0.3 * propensity)) {
      t += rnd.int(60, 7_200);
      const item = rnd.weighted([
        [LIST_ITEMS[0]!, 3],
        [LIST_ITEMS[1]!, 5],
        [LIST_ITEMS[2]!, 2],
      ] as const);
      inbound(phone, contact, t, {
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: item },
        context: { from: phone.digits, id: `wamid.BIZ${msgCounter}` },
      });
    }
    if (rnd.chance(0.2 * propensity)) {
      t += rnd.int(60, 3_600);
      inbound(phone, contact, t, {
        type: 'text',
        text: { body: rnd.pick(['Yes', 'yes!', 'YES 🙌', 'Yes please']) },
      });
    }
    if (rnd.chance(0.16 * propensity)) {
      const at = start + rnd.int(1_800, 86_400 * 6);
      if (at <= nowUnix) {
        const other = rnd.chance(0.04);
        externalEvents.push({
          eventId: `demo-purchase-${externalEvents.length + 1}`,
          action: 'Purchased an item',
          leadPhone: `+${contact.waId}`,
          timestamp: at,
          revenue: {
            amount: Math.round(rnd.int(1900, 14900)) / 100,
            currency: other ? rnd.pick(['GBP', 'CHF']) : DEMO_CURRENCY,
          },
          ...(rnd.chance(0.3) ? { appId: phone.phoneNumberId } : {}),
        });
      }
    }
    if (rnd.chance(0.1 * propensity)) {
      const at = start + rnd.int(600, 86_400 * 2);
      if (at <= nowUnix)
        externalEvents.push({
          eventId: `demo-signup-${externalEvents.length + 1}`,
          action: 'Signed up',
          leadPhone: contact.waId,
          timestamp: at,
        });
    }
  };

  days.forEach((day, dayIndex) => {
    const growth = 0.7 + 0.6 * (dayIndex / days.length);
    const weekday = day.weekday >= 6 ? 0.75 : 1;
    const dateKey = day.toISODate()!;
    for (const phone of DEMO_PHONES) {
      const share = phone === DEMO_PHONES[0] ? 0.6 : 0.4;
      const base = scale * growth * weekday * share * 4;
      // Click-to-WhatsApp ads: conversations follow the day's spend (about 4.20 EUR each).
      for (const ad of ads) {
        const spend = ad.dailySpend[dateKey];
        if (!spend || ad.phoneNumberId !== phone.phoneNumberId || ad.adName.includes('Awareness')) continue;
        const n = poisson(rnd, (spend / 4.2) * scale);
        for (let i = 0; i < n; i++) {
          const ts = startTime(day);
          if (ts > nowUnix) continue;
          const contact = contactFor(phone);
          conversations++;
          inbound(phone, contact, ts, {
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
              ctwa_clid: `ARA${ad.adId.slice(-4)}${msgCounter}`,
              welcome_message: { text: 'Hi! Thanks for your interest in Lumen 🌿' },
            },
          });
          continueConversation(phone, contact, ts, 1.2);
        }
      }
      // wa.me links and QR codes with a prefilled keyword.
      for (const [keyword, weight] of [
        [KEYWORDS[0]!, 5],
        [KEYWORDS[1]!, 3],
        [KEYWORDS[2]!, 2],
        [KEYWORDS[3]!, 2],
      ] as const) {
        const n = poisson(rnd, (base * weight) / 3);
        for (let i = 0; i < n; i++) {
          const ts = startTime(day);
          if (ts > nowUnix) continue;
          const contact = contactFor(phone);
          conversations++;
          const text = rnd.pick([
            `Hi! I'd like the ${keyword} offer`,
            `${keyword}`,
            `Hello, code ${keyword} please 😊`,
          ]);
          inbound(phone, contact, ts, { type: 'text', text: { body: text } });
          continueConversation(phone, contact, ts, 1.4);
        }
      }
      // Organic first messages.
      const organic = poisson(rnd, base * 3.5);
      for (let i = 0; i < organic; i++) {
        const ts = startTime(day);
        if (ts > nowUnix) continue;
        const contact = contactFor(phone);
        conversations++;
        if (rnd.chance(0.06))
          inbound(phone, contact, ts, {
            type: 'image',
            image: { id: `media-${msgCounter}`, mime_type: 'image/jpeg', sha256: 'x' },
          });
        else inbound(phone, contact, ts, { type: 'text', text: { body: rnd.pick(ORGANIC_TEXTS) } });
        continueConversation(phone, contact, ts, 0.6);
      }
      // Template campaigns: the business sends on some days; replies follow within two days.
      if (day.weekday === 2 || day.weekday === 4) {
        const template =
          TEMPLATES[(Math.floor(dayIndex / 30) + (phone === DEMO_PHONES[0] ? 0 : 1)) % TEMPLATES.length]!;
        const sends = poisson(rnd, base * 14);
        for (let i = 0; i < sends; i++) {
          const sentAt = Math.floor(day.set({ hour: 10, minute: rnd.int(0, 30) }).toSeconds());
          if (sentAt > nowUnix) continue;
          const contact = contactFor(phone);
          const id = `wamid.BIZ${(++msgCounter).toString(36).toUpperCase()}`;
          // 10% are sent from another tool: no send-log entry, so the reply shows by its button id.
          if (rnd.chance(0.9))
            sendLog.push({
              messageId: id,
              phoneNumberId: phone.phoneNumberId,
              to: contact.waId,
              templateName: template.name,
              sentAt,
              buttons: template.buttons,
            });
          let st = sentAt;
          for (const status of ['sent', 'delivered', 'read'] as const) {
            st += rnd.int(1, status === 'read' ? 7_200 : 30);
            if (st > nowUnix || (status === 'read' && rnd.chance(0.3))) break;
            items.push({
              ts: st,
              phone,
              kind: 'status',
              body: {
                id,
                status,
                timestamp: String(st),
                recipient_id: contact.waId,
                pricing: { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' },
              },
            });
          }
          if (!rnd.chance(0.32)) continue;
          const replyAt = sentAt + rnd.int(120, 86_400 * 2);
          if (replyAt > nowUnix) continue;
          conversations++;
          const button = rnd.chance(0.8) ? template.buttons[0]! : template.buttons[1]!;
          inbound(phone, contact, replyAt, {
            type: 'button',
            button: { payload: button.id, text: button.title },
            context: { from: phone.digits, id },
          });
          if (button === template.buttons[0]) continueConversation(phone, contact, replyAt, 1.3);
        }
      }
    }
  });

  // A few purchases from people who never wrote (offline customers): unattributed external events.
  for (let i = 0; i < 40 * scale; i++) {
    const at = Math.floor(days[rnd.int(0, days.length - 1)]!.plus({ hours: 12 }).toSeconds());
    if (at > nowUnix) continue;
    externalEvents.push({
      eventId: `demo-offline-${i}`,
      action: 'Purchased an item',
      leadPhone: `+49 151 ${rnd.int(1000000, 9999999)}`,
      timestamp: at,
      revenue: { amount: rnd.int(20, 90), currency: DEMO_CURRENCY },
    });
  }

  // Late follow-ups and reactions of today's conversations may lie in the future: they have not arrived yet.
  const arrived = items.filter((i) => i.ts <= nowUnix).sort((a, b) => a.ts - b.ts);
  return {
    phones: DEMO_PHONES,
    ads,
    keywords: KEYWORDS,
    payloads: toPayloads(arrived),
    sendLog,
    externalEvents: externalEvents.sort((a, b) => a.timestamp - b.timestamp),
    conversations,
    messages: arrived.filter((i) => i.kind === 'message').length,
  };
}

function makeAds(rnd: Random, days: DateTime[]): DemoAd[] {
  const specs = [
    ['Spring Glow', 'Women 25-44 DE', 'Serum video', 0, 0.05, 0.45, 38],
    ['Spring Glow', 'Women 25-44 DE', 'Before/after carousel', 0, 0.1, 0.5, 30],
    ['Spring Glow', 'Lookalike NL', 'Serum video NL', 1, 0.12, 0.5, 26],
    ['Always-on Acquisition', 'Broad DE', 'Starter kit offer', 0, 0.35, 1, 34],
    ['Always-on Acquisition', 'Broad NL', 'Starter kit offer NL', 1, 0.4, 1, 24],
    ['Always-on Acquisition', 'Retargeting', 'Free consultation', 0, 0.55, 1, 18],
    ['Black Week', 'Past buyers', 'Early access', 0, 0.88, 0.99, 55],
    ['Black Week', 'Past buyers NL', 'Early access NL', 1, 0.88, 0.99, 40],
    ['Brand Awareness', 'Broad DE', 'Awareness video (no WhatsApp CTA)', 0, 0.6, 1, 12],
  ] as const;
  return specs.map(([campaign, adset, adName, phoneIndex, from, to, avg], i) => {
    const campaignIndex = [...new Set(specs.map((s) => s[0]))].indexOf(campaign);
    const adsetIndex = [...new Set(specs.map((s) => s[1]))].indexOf(adset);
    const dailySpend: Record<string, number> = {};
    const first = Math.floor(from * (days.length - 1));
    const last = Math.floor(to * (days.length - 1));
    for (let d = first; d <= last; d++) {
      const amount = avg * (0.7 + rnd.next() * 0.6) * (days[d]!.weekday >= 6 ? 0.8 : 1);
      dailySpend[days[d]!.toISODate()!] = Math.round(amount * 100) / 100;
    }
    return {
      adId: `1202263058548${String(10000 + i)}`,
      adName,
      adsetId: `1202263058547${String(20000 + adsetIndex)}`,
      adsetName: adset,
      campaignId: `1202263058546${String(30000 + campaignIndex)}`,
      campaignName: campaign,
      phoneNumberId: DEMO_PHONES[phoneIndex]!.phoneNumberId,
      headline: `${campaign}: ${adName}`,
      body: 'Radiant skin in 14 days. Message us for a free routine check.',
      dailySpend,
    };
  });
}

/** Several messages per delivery, as 360dialog may send them; statuses in their own deliveries. */
function toPayloads(items: Item[]): unknown[] {
  const payloads: unknown[] = [];
  let i = 0;
  while (i < items.length) {
    const first = items[i]!;
    const group: Item[] = [first];
    i++;
    while (
      i < items.length &&
      group.length < 6 &&
      items[i]!.phone === first.phone &&
      items[i]!.kind === first.kind
    ) {
      group.push(items[i]!);
      i++;
    }
    const contacts = new Map<string, string>();
    for (const it of group) if (it.contact) contacts.set(it.contact.waId, it.contact.name);
    payloads.push({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: first.phone.wabaId,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: {
                  display_phone_number: first.phone.digits,
                  phone_number_id: first.phone.phoneNumberId,
                },
                ...(first.kind === 'message'
                  ? {
                      contacts: [...contacts].map(([wa_id, name]) => ({ profile: { name }, wa_id })),
                      messages: group.map((g) => g.body),
                    }
                  : { statuses: group.map((g) => g.body) }),
              },
            },
          ],
        },
      ],
    });
  }
  return payloads;
}

function poisson(rnd: Random, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(rnd)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rnd.next();
  } while (p > l);
  return k - 1;
}

function gaussian(rnd: Random): number {
  return Math.sqrt(-2 * Math.log(1 - rnd.next())) * Math.cos(2 * Math.PI * rnd.next());
}
