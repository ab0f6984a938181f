import { testFixture } from '../fakes/meta-fixture';
import { textDelivery } from './webhook';

// Click-to-WhatsApp leads as Cloud API deliveries, for the tests that send conversions to the fake
// Conversions API from a collector: one channel, its WhatsApp Business Account and dataset, and a Meta
// connection allowed to send business-messaging events.

export const PHONE = '106540352242922';
export const WABA = '102290129340398';
export const DATASET = '900000000000001';
export const capiFixture = testFixture({ permissions: ['ads_read', 'whatsapp_business_manage_events'] });

/**
 * `n` ad conversations of the last two hours (contacts `4915100<tag><i>`), each an ad click then a
 * "Book now" reply; conversation `noClid` comes from a Status placement (no click id: not sendable).
 */
export function ctwaLeads(tag: string, n: number, noClid = -1, nowS = Math.floor(Date.now() / 1000)) {
  return Array.from({ length: n }, (_, i) => {
    const common = { phoneNumberId: PHONE, wabaId: WABA, waId: `4915100${tag}${i}` };
    return [
      textDelivery({
        ...common,
        id: `wamid.${tag}.${i}.a`,
        ts: nowS - 7200 + i * 60,
        body: 'Hi, is this available?',
        referral: { adId: '120210000000077', clid: i === noClid ? null : `ARAclid${tag}${i}` },
      }),
      textDelivery({
        ...common,
        id: `wamid.${tag}.${i}.b`,
        ts: nowS - 7200 + i * 60 + 30,
        body: '',
        button: 'Book now',
      }),
    ];
  }).flat();
}
