import { ApiError } from '../../shared/contract/errors';
import { deriveChanges } from '../attribution/derive';
import type { Db } from '../db/open';
import type { CoreContext } from '../host/context';
import { bearerMatchesChannel, channelApiKey, findChannel } from './channels';
import { dialog360BaseUrl } from './client';
import { templateButtons } from './templates';

// The send proxy records what the business sends, because 360dialog never re-delivers the content
// of outgoing messages, only their statuses (whatsapp-360dialog.md §3: "record each send response's
// messages[0].id with what was sent"). Outgoing sources then carry the template's name and buttons.

export interface OutgoingButton {
  title: string | null;
  id: string | null;
}

export interface OutgoingRecord {
  id: string;
  phoneNumberId: string;
  contactId: string | null;
  templateName: string | null;
  sentAt: number;
  buttons: OutgoingButton[];
}

/** Checks the channel secret and hands the route what it needs to forward (in-process only). */
export async function authorizeSend(
  args: { channel: string; authorization?: string },
  ctx: CoreContext,
): Promise<{ apiKey: string; baseUrl: string }> {
  const row = typeof args?.channel === 'string' ? findChannel(ctx.db(), args.channel) : undefined;
  // Unknown channel and wrong secret answer alike, so the route does not reveal which channels exist.
  if (!row || !bearerMatchesChannel(row, args.authorization)) {
    throw new ApiError('unauthorized', 'Missing or wrong channel secret (Authorization: Bearer <secret>)');
  }
  return { apiKey: await channelApiKey(ctx, args.channel), baseUrl: dialog360BaseUrl(ctx.db()) };
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
const digits = (v: unknown): string | null => {
  const s = str(v)?.replace(/\D/g, '');
  return s ? s : null;
};

/**
 * What a send body (Meta's message object) and 360dialog's answer say about an outgoing message.
 * null when 360dialog did not accept it (no messages[0].id).
 */
export function describeOutgoing(
  db: Db,
  channel: string,
  request: unknown,
  response: unknown,
  sentAt: number,
): OutgoingRecord | null {
  const res = obj(response);
  const id = str(obj(arr(res.messages)[0]).id);
  if (!id) return null;
  const body = obj(request);
  const contactId = digits(obj(arr(res.contacts)[0]).wa_id) ?? digits(body.to);
  let templateName: string | null = null;
  let buttons: OutgoingButton[] = [];
  if (body.type === 'template' || (body.type === undefined && body.template)) {
    const tpl = obj(body.template);
    templateName = str(tpl.name);
    const language = str(obj(tpl.language).code) ?? undefined;
    // Quick-reply payloads given at send time are the ids a reply echoes back (button.payload).
    const payloads = new Map<number, string>();
    for (const c of arr(tpl.components)) {
      const comp = obj(c);
      if (str(comp.type)?.toLowerCase() !== 'button' || str(comp.sub_type)?.toLowerCase() !== 'quick_reply')
        continue;
      const index = Number(comp.index);
      const payload = str(obj(arr(comp.parameters)[0]).payload);
      if (Number.isInteger(index) && payload) payloads.set(index, payload);
    }
    const known = templateName ? templateButtons(db, channel, templateName, language) : [];
    const quickReplies = known.filter((b) => b.type === 'QUICK_REPLY');
    buttons = quickReplies.map((b) => ({ title: b.text, id: payloads.get(b.index) ?? null }));
    // Template not synced yet: keep at least the payloads, so replies still link by id.
    if (quickReplies.length === 0) buttons = [...payloads.entries()].map(([, p]) => ({ title: null, id: p }));
  } else if (body.type === 'interactive') {
    const interactive = obj(body.interactive);
    const action = obj(interactive.action);
    if (interactive.type === 'button') {
      buttons = arr(action.buttons).map((b) => {
        const reply = obj(obj(b).reply);
        return { title: str(reply.title), id: str(reply.id) };
      });
    } else if (interactive.type === 'list') {
      buttons = arr(action.sections).flatMap((s) =>
        arr(obj(s).rows).map((r) => ({ title: str(obj(r).title), id: str(obj(r).id) })),
      );
    }
  }
  return { id, phoneNumberId: channel, contactId, templateName, sentAt, buttons };
}

export interface RecordOutgoingArgs {
  channel: string;
  request: unknown;
  response: unknown;
  /** unix seconds; default now */
  sentAt?: number;
}

/**
 * Stores one outgoing message and derives in the same transaction, so a reply that already arrived
 * (or arrives next) is attributed to the named outgoing source at once.
 */
export function recordOutgoing(db: Db, args: RecordOutgoingArgs): { id: string | null } {
  if (typeof args.channel !== 'string' || args.channel === '') {
    throw new ApiError('invalid_argument', 'recordOutgoing needs a channel', 'channel');
  }
  const rec = describeOutgoing(
    db,
    args.channel,
    args.request,
    args.response,
    args.sentAt ?? Math.floor(Date.now() / 1000),
  );
  if (!rec) return { id: null };
  db.transaction(() => {
    upsertOutgoing(db, rec, 'send-proxy');
    deriveChanges(db, { messageIds: [], externalEventIds: [], outgoingIds: [rec.id] });
  }).immediate();
  return { id: rec.id };
}

export function upsertOutgoing(db: Db, rec: OutgoingRecord, origin: string): void {
  db.prepare(
    `INSERT INTO outgoing_messages (id, phone_number_id, contact_id, template_name, sent_at, buttons, origin)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET
       phone_number_id = COALESCE(excluded.phone_number_id, phone_number_id),
       contact_id = COALESCE(excluded.contact_id, contact_id),
       template_name = COALESCE(excluded.template_name, template_name),
       sent_at = COALESCE(excluded.sent_at, sent_at),
       buttons = CASE WHEN excluded.buttons = '[]' THEN buttons ELSE excluded.buttons END`,
  ).run(
    rec.id,
    rec.phoneNumberId,
    rec.contactId,
    rec.templateName,
    rec.sentAt,
    JSON.stringify(rec.buttons),
    origin,
  );
}
