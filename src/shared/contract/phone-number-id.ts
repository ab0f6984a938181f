import { z } from 'zod';

// A WhatsApp business number's phone_number_id: the id Meta gives it (a Graph object id, 15–16 digits
// today; https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples — "metadata").
// The one rule for every place one is accepted: a channel, a receiver path, an import's --channel,
// a payload's metadata.phone_number_id, a send log's phone_number_id.

/** Digits only, no leading zero, 5 to 20 of them (a 64-bit id has at most 20). */
export const PHONE_NUMBER_ID_PATTERN = /^[1-9][0-9]{4,19}$/;

export const PHONE_NUMBER_ID_RULE =
  'must be the digits of the phone_number_id Meta shows (5 to 20 digits, such as 106540352242922), not the phone number';

export function isPhoneNumberId(v: unknown): v is string {
  return typeof v === 'string' && PHONE_NUMBER_ID_PATTERN.test(v);
}

export const PhoneNumberId = z.string().trim().regex(PHONE_NUMBER_ID_PATTERN, PHONE_NUMBER_ID_RULE);
