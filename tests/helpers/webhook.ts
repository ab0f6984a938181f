// Cloud API deliveries as 360dialog sends them (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components), for
// tests that need webhook traffic rather than a particular message type (those use tests/fixtures).

export interface TextDelivery {
  phoneNumberId: string;
  waId: string;
  id: string;
  /** unix seconds */
  ts: number;
  body: string;
  name?: string;
  displayPhoneNumber?: string;
  /** entry[].id: the WhatsApp Business Account (Cloud API). */
  wabaId?: string;
  /** A quick-reply button's text instead of a text message. */
  button?: string;
  /** The first message after a Click-to-WhatsApp ad click ("Referral"); clid null: a Status placement. */
  referral?: { adId: string; clid: string | null };
}

/** One delivery with one inbound text message (or button reply). */
export function textDelivery(m: TextDelivery): unknown {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: m.wabaId ?? 'W',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: m.displayPhoneNumber ?? '15550001111',
                phone_number_id: m.phoneNumberId,
              },
              contacts: [{ profile: { name: m.name ?? 'Kunde' }, wa_id: m.waId }],
              messages: [
                {
                  from: m.waId,
                  id: m.id,
                  timestamp: String(m.ts),
                  ...(m.button === undefined
                    ? { type: 'text', text: { body: m.body } }
                    : { type: 'button', button: { text: m.button, payload: m.button } }),
                  ...(m.referral ? { referral: referralOf(m.referral) } : {}),
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

function referralOf(r: { adId: string; clid: string | null }) {
  return {
    source_url: `https://fb.me/${r.adId}`,
    source_id: r.adId,
    source_type: 'ad',
    headline: `Ad ${r.adId}`,
    ...(r.clid === null ? {} : { ctwa_clid: r.clid }),
  };
}
