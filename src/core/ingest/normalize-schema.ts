import { z } from 'zod';
import { implausibleTime, MAX_AHEAD_S, MAX_EXPIRATION_AHEAD_S, toUnixSeconds } from './plausible-time';
import { PhoneNumberId } from '../../shared/contract/phone-number-id';

// Lenient zod schemas for the two webhook formats 360dialog delivers (Cloud API and On-Premise), per
// /work/shared/reference/whatsapp-360dialog.md §3. Objects are loose (unknown fields are kept in the
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
    })
    .nullish(),
  context: z.looseObject({ from: OptStr, id: OptStr }).nullish(),
  referral: z.record(z.string(), z.unknown()).nullish(),
  errors: z.array(z.unknown()).nullish(),
  system: z.looseObject({ body: z.string().nullish() }).nullish(),
  order: z.looseObject({ text: z.string().nullish() }).nullish(),
});
export type RawMessage = z.infer<typeof MessageSchema>;

export const StatusSchema = z.looseObject({
  id: Str,
  status: z.string().min(1),
  timestamp: UnixSeconds,
  recipient_id: OptStr,
  recipient_user_id: OptStr,
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
