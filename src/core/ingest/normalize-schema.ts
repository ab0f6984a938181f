import { z } from 'zod';
import { PhoneNumberId } from '../../shared/contract/phone-number-id';
import { implausibleTime, MAX_AHEAD_S, MAX_EXPIRATION_AHEAD_S, toUnixSeconds } from './plausible-time';

// Lenient zod schemas for the two webhook formats 360dialog delivers (Cloud API and On-Premise), per
// https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components (Cloud API) and https://docs.360dialog.com/docs/waba-basics/the-basics-overview ("Base URL": On-Premise). Objects are loose (unknown fields are kept in the
// raw payload, never rejected); scalar fields accept numbers where strings are documented and vice
// versa, because senders and re-exports are not always faithful to the documented types.

/** An id or a phone number: a string, or a (safe) integer someone serialised as a number. */
export const Str = z
  .union([z.string(), z.number().int().refine(Number.isSafeInteger, 'a number too large to be an id')])
  .transform(String);

/**
 * Unix time in seconds. Documented as a string of seconds; also accepted as a number and, when it is
 * clearly in milliseconds (beyond year 5138 in seconds), scaled down. Then it must lie in the window of
 * plausible-time.ts (2009-01-01 to a day ahead; `aheadS` for expirations).
 */
const unixSeconds = (aheadS: number) =>
  z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .regex(/^\d+(\.\d+)?$/, 'expected Unix seconds'),
    ])
    .transform((v) => Number(v))
    .refine((n) => Number.isFinite(n) && n >= 0, 'expected Unix seconds')
    .transform(toUnixSeconds)
    .superRefine((n, ctx) => {
      const why = implausibleTime(n, aheadS);
      if (why) ctx.addIssue({ code: 'custom', message: why });
    });
export const UnixSeconds = unixSeconds(MAX_AHEAD_S);
const ExpirationSeconds = unixSeconds(MAX_EXPIRATION_AHEAD_S);

const OptStr = Str.nullish();
const Loose = z.looseObject({});
/**
 * A part this app reads from newer payloads (Flows, edits, groups, number changes): a value of another
 * shape is left to the raw payload instead of refusing the delivery, as before these parts were read.
 */
const lenient = <T extends z.ZodType>(schema: T) => schema.nullish().catch(null);

export const ContactSchema = z.looseObject({
  wa_id: OptStr,
  user_id: OptStr,
  profile: z.looseObject({ name: z.string().nullish() }).nullish(),
});

export const MessageSchema = z.looseObject({
  id: Str,
  from: OptStr,
  from_user_id: OptStr,
  user_id: OptStr,
  timestamp: UnixSeconds,
  type: z.string().min(1).default('unknown'),
  text: z.looseObject({ body: z.string().nullish() }).nullish(),
  button: z.looseObject({ payload: OptStr, text: OptStr }).nullish(),
  interactive: z
    .looseObject({
      type: z.string().nullish(),
      button_reply: z.looseObject({ id: OptStr, title: OptStr }).nullish(),
      list_reply: z.looseObject({ id: OptStr, title: OptStr, description: OptStr }).nullish(),
      // A WhatsApp Flow completion: https://developers.facebook.com/documentation/business-messaging/whatsapp/flows/guides/receiveflowresponse
      nfm_reply: lenient(z.looseObject({ name: OptStr, body: OptStr })),
    })
    .nullish(),
  context: z.looseObject({ from: OptStr, id: OptStr }).nullish(),
  referral: z.record(z.string(), z.unknown()).nullish(),
  errors: z.array(z.unknown()).nullish(),
  // user_changed_number carries the new number in `wa_id` (`new_wa_id` in older versions):
  // https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/system/
  system: z
    .looseObject({
      body: z.string().nullish(),
      type: lenient(z.string()),
      wa_id: lenient(Str),
      new_wa_id: lenient(Str),
      user_id: lenient(Str),
    })
    .nullish(),
  // https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/edit
  edit: lenient(
    z.looseObject({
      original_message_id: lenient(Str),
      message: lenient(
        z.looseObject({
          type: lenient(z.string()),
          text: lenient(z.looseObject({ body: lenient(z.string()) })),
        }),
      ),
    }),
  ),
  // A message in a group (Groups API): https://developers.facebook.com/documentation/business-messaging/whatsapp/groups/groups-messaging/
  group_id: lenient(Str),
  order: z.looseObject({ text: z.string().nullish() }).nullish(),
});
export type RawMessage = z.infer<typeof MessageSchema>;

export const StatusSchema = z.looseObject({
  id: Str,
  status: z.string().min(1),
  timestamp: UnixSeconds,
  recipient_id: OptStr,
  recipient_user_id: OptStr,
  // Statuses of group messages name the group and, once delivered or read, the participant:
  // https://developers.facebook.com/documentation/business-messaging/whatsapp/groups/groups-messaging/
  recipient_type: lenient(z.string()),
  recipient_participant_id: lenient(Str),
  recipient_participant_user_id: lenient(Str),
  conversation: z
    .looseObject({
      id: OptStr,
      expiration_timestamp: ExpirationSeconds.nullish(),
      origin: z.looseObject({ type: z.string().nullish() }).nullish(),
    })
    .nullish(),
  pricing: Loose.nullish(),
  errors: z.array(z.unknown()).nullish(),
});
export type RawStatus = z.infer<typeof StatusSchema>;

export const ErrorSchema = z.looseObject({
  code: z.union([z.number(), z.string()]).nullish(),
  title: z.string().nullish(),
  message: z.string().nullish(),
  error_data: z.looseObject({ details: z.string().nullish() }).nullish(),
});

/** The part both formats share: Cloud's `value` of a `messages` change, or an On-Premise body. */
export const ValueSchema = z.looseObject({
  metadata: z
    .looseObject({ display_phone_number: OptStr, phone_number_id: Str.pipe(PhoneNumberId).nullish() })
    .nullish(),
  contacts: z.array(ContactSchema).nullish(),
  messages: z.array(MessageSchema).nullish(),
  statuses: z.array(StatusSchema).nullish(),
  errors: z.array(ErrorSchema).nullish(),
});
export type RawValue = z.infer<typeof ValueSchema>;

export const CloudSchema = z.looseObject({
  object: z.string().nullish(),
  entry: z.array(
    z.looseObject({
      id: OptStr,
      changes: z.array(z.looseObject({ field: z.string().nullish(), value: z.unknown() })).nullish(),
    }),
  ),
});
