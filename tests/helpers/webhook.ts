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
}

/** One delivery with one inbound text message. */
export function textDelivery(m: TextDelivery): unknown {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'W',
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
                { from: m.waId, id: m.id, timestamp: String(m.ts), type: 'text', text: { body: m.body } },
              ],
            },
          },
        ],
      },
    ],
  };
}
