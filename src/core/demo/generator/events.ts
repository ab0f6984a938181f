import type { DateTime } from 'luxon';
import { DEMO_CURRENCY, type DemoPhone } from './brand';
import type { Contact } from './contacts';
import type { Generation } from './recorder';

// The external events (360dialog's Off-Thread events) a shop would send: purchases and sign-ups of people
// who wrote, and a few purchases of people who never did.

/** What the customer of a conversation did afterwards, outside WhatsApp. */
export function eventsAfterConversation(
  g: Generation,
  phone: DemoPhone,
  contact: Contact,
  start: number,
  propensity: number,
): void {
  const { rnd, recorder, nowUnix } = g;
  if (rnd.chance(0.16 * propensity)) {
    const at = start + rnd.int(1_800, 86_400 * 6);
    if (at <= nowUnix) {
      const other = rnd.chance(0.04);
      recorder.externalEvents.push({
        eventId: `demo-purchase-${recorder.externalEvents.length + 1}`,
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
      recorder.externalEvents.push({
        eventId: `demo-signup-${recorder.externalEvents.length + 1}`,
        action: 'Signed up',
        leadPhone: contact.waId,
        timestamp: at,
      });
  }
}

/** Purchases from people who never wrote (offline customers): unattributed external events. */
export function offlinePurchases(g: Generation, days: DateTime[], scale: number): void {
  const { rnd, recorder, nowUnix } = g;
  for (let i = 0; i < 40 * scale; i++) {
    const at = Math.floor(days[rnd.int(0, days.length - 1)]!.plus({ hours: 12 }).toSeconds());
    if (at > nowUnix) continue;
    recorder.externalEvents.push({
      eventId: `demo-offline-${i}`,
      action: 'Purchased an item',
      leadPhone: `+49 151 ${rnd.int(1000000, 9999999)}`,
      timestamp: at,
      revenue: { amount: rnd.int(20, 90), currency: DEMO_CURRENCY },
    });
  }
}
