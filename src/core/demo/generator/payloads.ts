import type { Item } from './recorder';

// The last step: the recorded items as 360dialog delivers them (Cloud API webhook payloads,
// https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples).

/** Several messages per delivery, as 360dialog may send them; statuses in their own deliveries. */
export function toPayloads(items: Item[]): unknown[] {
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
