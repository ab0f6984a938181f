// Cloud API deliveries of a Click-to-WhatsApp conversation (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components,
// "Referral"): the first message carries the ad's referral with its ctwa_clid; later ones are plain messages.

export interface CtwaMessage {
  phoneNumberId: string;
  wabaId: string;
  waId: string;
  id: string;
  /** unix seconds */
  ts: number;
  /** A text body, or a quick-reply button's text (type button). */
  text?: string;
  button?: string;
  /** Makes it the first message after an ad click. clid null: a Status placement (no ctwa_clid). */
  referral?: { adId: string; clid: string | null };
}

export function ctwaDelivery(...messages: CtwaMessage[]): unknown {
  const m0 = messages[0]!;
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: m0.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550001111', phone_number_id: m0.phoneNumberId },
              contacts: [{ profile: { name: 'Kunde' }, wa_id: m0.waId }],
              messages: messages.map((m) => ({
                from: m.waId,
                id: m.id,
                timestamp: String(m.ts),
                ...(m.button !== undefined
                  ? { type: 'button', button: { text: m.button, payload: m.button } }
                  : { type: 'text', text: { body: m.text ?? 'Hi' } }),
                ...(m.referral
                  ? {
                      referral: {
                        source_url: `https://fb.me/${m.referral.adId}`,
                        source_id: m.referral.adId,
                        source_type: 'ad',
                        headline: `Ad ${m.referral.adId}`,
                        ...(m.referral.clid === null ? {} : { ctwa_clid: m.referral.clid }),
                      },
                    }
                  : {}),
              })),
            },
          },
        ],
      },
    ],
  };
}
