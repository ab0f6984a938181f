import type { z } from 'zod';
import { CloudSchema, type RawMessage, type RawStatus, type RawValue, ValueSchema } from './normalize-schema';

// Pure: a webhook body (either format) → rows. Never throws on any JSON value; a body it cannot
// read comes back as { ok: false, error } naming the first offending path.
// Formats: https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components (Cloud API envelope object/entry/changes/value;
// On-Premise: top-level contacts/messages/statuses/errors and no business number).

export interface NormBusinessNumber {
  phoneNumberId: string;
  displayNumber: string | null;
  wabaId: string | null;
}

export interface NormContact {
  phoneNumberId: string;
  /** wa_id as digits, or null when the user hides the number (only a BSUID is known). */
  waId: string | null;
  userId: string | null;
  name: string | null;
}

export interface NormMessage {
  id: string;
  phoneNumberId: string;
  /** Sender's wa_id as digits (inbound messages come from users). */
  from: string | null;
  fromUserId: string | null;
  ts: number;
  type: string;
  /** What keyword and reply matching read: text body, media caption, button text, interactive title. */
  text: string | null;
  buttonPayload: string | null;
  buttonText: string | null;
  interactiveType: string | null;
  interactiveId: string | null;
  interactiveTitle: string | null;
  interactiveDescription: string | null;
  contextFrom: string | null;
  contextId: string | null;
  /** Every referral field as delivered (incl. ctwa_clid, welcome_message). */
  referral: Record<string, unknown> | null;
  referralSourceType: string | null;
  referralSourceId: string | null;
  hasErrors: boolean;
  /** The group a message was sent in (Groups API); group messages are kept out of conversations. */
  groupId: string | null;
  /** A `user_changed_number` system message: the contact's new number (and new BSUID). */
  changedNumber: { waId: string; userId: string | null } | null;
  /** Type-specific content (location, reaction, media, order, system, contacts …) and errors. */
  extra: Record<string, unknown> | null;
}

export interface NormStatus {
  messageId: string;
  status: string;
  ts: number;
  phoneNumberId: string;
  recipientId: string | null;
  recipientUserId: string | null;
  /** A status of a message sent to a group: the group's id (recipientId and recipientUserId are then null). */
  groupId: string | null;
  /** The group participant a delivered/read status of a group message is about. */
  participantId: string | null;
  participantUserId: string | null;
  conversationId: string | null;
  conversationOrigin: string | null;
  conversationExpiration: number | null;
  pricing: Record<string, unknown> | null;
  errors: unknown[] | null;
}

export interface NormError {
  phoneNumberId: string | null;
  code: string | null;
  title: string | null;
  message: string | null;
  details: string | null;
}

export interface NormalizedPayload {
  format: 'cloud' | 'onprem';
  numbers: NormBusinessNumber[];
  contacts: NormContact[];
  messages: NormMessage[];
  statuses: NormStatus[];
  errors: NormError[];
}

export type NormalizeResult = { ok: true; value: NormalizedPayload } | { ok: false; error: string };

const ONPREM_KEYS = ['contacts', 'messages', 'statuses', 'errors'] as const;

/** A phone number as written by people or APIs: digits with an optional +, spaces, dots, dashes, parentheses. */
const PHONE = /^\s*\+?[\d\s().-]*\d[\d\s().-]*$/;

/**
 * The digits of a wa_id, or null when it is not a phone number: a business-scoped user id such as
 * "US.13491208655302741918" (two letters, a period, an alphanumeric string:
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/)
 * must not lose its letters and become the phone number 13491208655302741918.
 */
export function waIdDigits(v: string | null | undefined): string | null {
  return v !== null && v !== undefined && PHONE.test(v) ? phoneDigits(v) : null;
}

/** The value as a business-scoped user id when it is one (not a phone number, not empty). */
export function bsuidOf(v: string | null | undefined): string | null {
  const t = v?.trim();
  return t && !PHONE.test(t) ? t : null;
}

/** Digits of a phone number or wa_id ("+49 (151) 234-5678" → "491512345678"); null when there are none. */
export function phoneDigits(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  let d = v.replace(/\D+/g, '');
  if (v.trim().startsWith('00')) d = d.replace(/^00/, '');
  return d.length > 0 ? d : null;
}

export function normalizePayload(
  body: unknown,
  opts: { channel?: string | undefined } = {},
): NormalizeResult {
  try {
    return normalizeUnsafe(body, opts.channel);
  } catch (err) {
    // Defence in depth: the schemas should make this unreachable, but a receiver must never crash.
    return { ok: false, error: `unreadable payload: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function normalizeUnsafe(body: unknown, channel: string | undefined): NormalizeResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, error: 'expected a JSON object (a Cloud API or On-Premise webhook payload)' };
  }
  const obj = body as Record<string, unknown>;
  const out: NormalizedPayload = {
    format: 'cloud',
    numbers: [],
    contacts: [],
    messages: [],
    statuses: [],
    errors: [],
  };
  if ('entry' in obj || 'object' in obj) {
    const cloud = CloudSchema.safeParse(obj);
    if (!cloud.success) return { ok: false, error: explain(cloud.error, '') };
    if (cloud.data.object && cloud.data.object !== 'whatsapp_business_account') {
      return { ok: false, error: `object: expected "whatsapp_business_account", got "${cloud.data.object}"` };
    }
    for (const [ei, entry] of cloud.data.entry.entries()) {
      for (const [ci, change] of (entry.changes ?? []).entries()) {
        // Other fields (template status, account updates …) are kept raw; they carry no messages.
        if (change.field && change.field !== 'messages') continue;
        const where = `entry[${ei}].changes[${ci}].value`;
        const value = ValueSchema.safeParse(change.value ?? {});
        if (!value.success) return { ok: false, error: explain(value.error, where) };
        const phone = value.data.metadata?.phone_number_id ?? channel;
        if (!phone) return { ok: false, error: `${where}.metadata.phone_number_id: missing` };
        out.numbers.push({
          phoneNumberId: phone,
          displayNumber: value.data.metadata?.display_phone_number ?? null,
          wabaId: entry.id ?? null,
        });
        addValue(out, value.data, phone);
      }
    }
    return checked(dedupeNumbers(out));
  }
  if (!ONPREM_KEYS.some((k) => k in obj)) {
    return {
      ok: false,
      error:
        'unknown shape: expected a Cloud API payload (object, entry[]) or an On-Premise payload (contacts[], messages[], statuses[])',
    };
  }
  out.format = 'onprem';
  const value = ValueSchema.safeParse(obj);
  if (!value.success) return { ok: false, error: explain(value.error, '') };
  // On-Premise payloads carry no business number: the channel the delivery was addressed to supplies it.
  if (!channel)
    return { ok: false, error: 'an On-Premise payload carries no business number: a channel is needed' };
  out.numbers.push({ phoneNumberId: channel, displayNumber: null, wabaId: null });
  addValue(out, value.data, channel);
  return checked(out);
}

/** A message must name its sender (wa_id or BSUID), or it cannot be put in a conversation. */
function checked(out: NormalizedPayload): NormalizeResult {
  const i = out.messages.findIndex((m) => m.from === null && m.fromUserId === null);
  if (i >= 0)
    return { ok: false, error: `messages[${i}] (${out.messages[i]!.id}): no sender (from or user_id)` };
  return { ok: true, value: out };
}

function addValue(out: NormalizedPayload, v: RawValue, phone: string): void {
  const contacts = (v.contacts ?? []).map((c) => ({
    phoneNumberId: phone,
    waId: waIdDigits(c.wa_id),
    userId: c.user_id ?? bsuidOf(c.wa_id),
    name: c.profile?.name ?? null,
  }));
  out.contacts.push(...contacts);
  // A lone contact in the delivery is the sender when a message names only a BSUID (or nothing).
  const only = contacts.length === 1 ? contacts[0]! : null;
  for (const m of v.messages ?? []) out.messages.push(message(m, phone, only));
  for (const s of v.statuses ?? []) out.statuses.push(status(s, phone));
  for (const err of v.errors ?? []) {
    out.errors.push({
      phoneNumberId: phone,
      code: err.code === null || err.code === undefined ? null : String(err.code),
      title: err.title ?? null,
      message: err.message ?? null,
      details: err.error_data?.details ?? null,
    });
  }
}

function message(m: RawMessage, phone: string, only: NormContact | null): NormMessage {
  const fromUser = m.from_user_id ?? m.user_id ?? bsuidOf(m.from);
  const from = waIdDigits(m.from) ?? (fromUser ? null : (only?.waId ?? null));
  const fromUserId = fromUser ?? (from === null || from === only?.waId ? (only?.userId ?? null) : null);
  const interactive = m.interactive ?? null;
  const reply = interactive?.button_reply ?? interactive?.list_reply ?? null;
  // A Flow completion: its name ("flow", "address_message") and body ("Sent") stand in for a reply's id and title.
  const flow = interactive?.type === 'nfm_reply' ? (interactive.nfm_reply ?? null) : null;
  const media = m[m.type] as { caption?: unknown } | undefined;
  const caption =
    media && typeof media === 'object' && typeof media.caption === 'string' ? media.caption : null;
  const text =
    m.type === 'text'
      ? (m.text?.body ?? null)
      : m.type === 'button'
        ? (m.button?.text ?? null)
        : m.type === 'interactive'
          ? (reply?.title ?? flow?.body ?? null)
          : m.type === 'system'
            ? (m.system?.body ?? null)
            : m.type === 'order'
              ? (m.order?.text ?? null)
              : m.type === 'edit'
                ? (m.edit?.message?.text?.body ?? null)
                : caption;
  const extra: Record<string, unknown> = {};
  const content = m[m.type];
  if (!['text', 'button', 'interactive'].includes(m.type) && content !== undefined && content !== null)
    extra[m.type] = content;
  if (interactive && !interactive.button_reply && !interactive.list_reply) extra.interactive = interactive;
  if (m.errors?.length) extra.errors = m.errors;
  const referral = m.referral ?? null;
  return {
    id: m.id,
    phoneNumberId: phone,
    from,
    fromUserId,
    ts: m.timestamp,
    type: m.type,
    text,
    buttonPayload: m.button?.payload ?? null,
    buttonText: m.button?.text ?? null,
    interactiveType: interactive?.type ?? null,
    interactiveId: reply?.id ?? flow?.name ?? null,
    interactiveTitle: reply?.title ?? flow?.body ?? null,
    interactiveDescription: interactive?.list_reply?.description ?? null,
    contextFrom: phoneDigits(m.context?.from) ?? null,
    contextId: m.context?.id ?? null,
    referral,
    referralSourceType: scalar(referral?.source_type),
    referralSourceId: scalar(referral?.source_id),
    hasErrors: (m.errors?.length ?? 0) > 0,
    groupId: m.group_id ?? null,
    changedNumber: changedNumber(m),
    extra: Object.keys(extra).length > 0 ? extra : null,
  };
}

/** The new number of a `user_changed_number` system message (`customer_changed_number` On-Premise). */
function changedNumber(m: RawMessage): NormMessage['changedNumber'] {
  const sys = m.type === 'system' ? m.system : null;
  if (sys?.type !== 'user_changed_number' && sys?.type !== 'customer_changed_number') return null;
  const waId = waIdDigits(sys.wa_id ?? sys.new_wa_id);
  return waId ? { waId, userId: sys.user_id ?? null } : null;
}

function status(s: RawStatus, phone: string): NormStatus {
  const group = s.recipient_type === 'group';
  return {
    messageId: s.id,
    status: s.status,
    ts: s.timestamp,
    phoneNumberId: phone,
    recipientId: group ? null : waIdDigits(s.recipient_id),
    recipientUserId: group ? null : (s.recipient_user_id ?? bsuidOf(s.recipient_id)),
    groupId: group ? (s.recipient_id ?? null) : null,
    participantId: waIdDigits(s.recipient_participant_id),
    participantUserId: s.recipient_participant_user_id ?? bsuidOf(s.recipient_participant_id),
    conversationId: s.conversation?.id ?? null,
    conversationOrigin: s.conversation?.origin?.type ?? null,
    conversationExpiration: s.conversation?.expiration_timestamp ?? null,
    pricing: (s.pricing as Record<string, unknown> | null | undefined) ?? null,
    errors: s.errors?.length ? s.errors : null,
  };
}

function scalar(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
}

function dedupeNumbers(out: NormalizedPayload): NormalizedPayload {
  const seen = new Map<string, NormBusinessNumber>();
  for (const n of out.numbers) {
    const prev = seen.get(n.phoneNumberId);
    seen.set(
      n.phoneNumberId,
      prev
        ? { ...prev, displayNumber: prev.displayNumber ?? n.displayNumber, wabaId: prev.wabaId ?? n.wabaId }
        : n,
    );
  }
  out.numbers = [...seen.values()];
  return out;
}

/** "entry[0].changes[0].value.messages[1].timestamp: expected Unix seconds" */
function explain(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid payload';
  let path = prefix;
  for (const p of issue.path) {
    path += typeof p === 'number' ? `[${p}]` : `${path ? '.' : ''}${String(p)}`;
  }
  return `${path || '(body)'}: ${issue.message}`;
}
