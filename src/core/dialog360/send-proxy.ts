import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import { findChannelWorkspace, getChannel } from '../ingest/channels';
import { type OutgoingInput, storeOutgoingMessages } from '../ingest/outgoing';
import type { CoreContext } from '../kernel/context';
import { bearerMatchesChannel, channelApiKey } from './channels';
import { dialog360BaseUrl } from './client';
import { type TemplateButton, templateButtons } from './templates';

// The send proxy records what the business sends, because 360dialog never re-delivers the content
// of outgoing messages, only their statuses (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components: a status carries the message id,
// never its content), so each send response's messages[0].id is recorded with what was sent. Outgoing sources then carry the template's name and buttons.

export interface SendTarget {
  workspace: string;
  apiKey: string;
  baseUrl: string;
}

/**
 * Finds the channel's workspace (a channel lives in exactly one workspace of the data folder, as for
 * the webhook receiver), checks the Bearer secret and hands the route what it needs to forward.
 */
export async function authorizeSend(
  args: { channel?: unknown; authorization?: unknown },
  ctx: CoreContext,
): Promise<SendTarget> {
  const channel = typeof args?.channel === 'string' ? args.channel : '';
  const workspace = channel ? findChannelWorkspace(ctx, channel) : null;
  const row = workspace ? getChannel(ctx.dbFor(workspace), channel) : undefined;
  const authorization = typeof args?.authorization === 'string' ? args.authorization : undefined;
  // Unknown channel and wrong secret answer alike, so the proxy does not reveal which channels exist.
  if (!workspace || !row || !bearerMatchesChannel(row, authorization)) {
    throw new ApiError('unauthorized', 'Missing or wrong channel secret (Authorization: Bearer <secret>)');
  }
  return {
    workspace,
    apiKey: await channelApiKey(ctx, channel, workspace),
    baseUrl: dialog360BaseUrl(ctx.dbFor(workspace)),
  };
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
const digits = (v: unknown): string | null => str(v)?.replace(/\D/g, '') || null;

/**
 * What a send body (Meta's message object) and 360dialog's answer say about an outgoing message;
 * null when 360dialog did not accept it (no messages[0].id).
 * Buttons: a template's quick replies (titles from the synced template, ids from the quick_reply
 * payloads of the send body), or an interactive message's reply buttons / list rows.
 */
/** The buttons of a synced template (any language when none is given); [] when it is not known. */
export type TemplateLookup = (channel: string, name: string, language?: string) => TemplateButton[];

export function describeOutgoing(
  templates: TemplateLookup,
  channel: string,
  request: unknown,
  response: unknown,
  sentAt: number,
): OutgoingInput | null {
  const res = obj(response);
  const id = str(obj(arr(res.messages)[0]).id);
  if (!id) return null;
  const body = obj(request);
  const contactId = digits(obj(arr(res.contacts)[0]).wa_id) ?? digits(body.to);
  let templateName: string | null = null;
  let buttons: OutgoingInput['buttons'] = [];
  if (body.type === 'template' || (body.type === undefined && body.template)) {
    const tpl = obj(body.template);
    templateName = str(tpl.name);
    const language = str(obj(tpl.language).code) ?? undefined;
    const payloads = new Map<number, string>();
    for (const c of arr(tpl.components)) {
      const comp = obj(c);
      if (str(comp.type)?.toLowerCase() !== 'button' || str(comp.sub_type)?.toLowerCase() !== 'quick_reply')
        continue;
      const index = Number(comp.index);
      const payload = str(obj(arr(comp.parameters)[0]).payload);
      if (Number.isInteger(index) && payload) payloads.set(index, payload);
    }
    // A template not synced yet has no known titles: the reply's context.id still links it to this message.
    const known = templateName ? templates(channel, templateName, language) : [];
    buttons = known
      .filter((b) => b.type === 'QUICK_REPLY')
      .map((b) => ({ title: b.text, id: payloads.get(b.index) ?? null }));
  } else if (body.type === 'interactive') {
    const interactive = obj(body.interactive);
    const action = obj(interactive.action);
    const rows =
      interactive.type === 'button'
        ? arr(action.buttons).map((b) => obj(obj(b).reply))
        : interactive.type === 'list'
          ? arr(action.sections).flatMap((s) => arr(obj(s).rows).map(obj))
          : [];
    buttons = rows.flatMap((r) => {
      const title = str(r.title);
      return title ? [{ title, id: str(r.id) }] : [];
    });
  }
  return { id, phoneNumberId: channel, contactId, templateName, sentAt, buttons, origin: 'send-proxy' };
}

export interface RecordOutgoingArgs {
  channel: string;
  request: unknown;
  response: unknown;
  /** unix seconds; default now */
  sentAt?: number;
}

/**
 * Stores one outgoing message through the ingestion area's storeOutgoingMessages, which derives in the
 * same transaction (deriveChanges with outgoingIds), so a reply is attributed to the named source at once.
 */
export function recordOutgoing(
  db: Db,
  args: RecordOutgoingArgs,
): { id: string | null; templateUnknown: boolean } {
  if (typeof args?.channel !== 'string' || args.channel === '') {
    throw new ApiError('invalid_argument', 'recordOutgoing needs a channel', 'channel');
  }
  const sentAt = args.sentAt ?? Math.floor(Date.now() / 1000);
  const rec = describeOutgoing(
    (c, n, l) => templateButtons(db, c, n, l),
    args.channel,
    args.request,
    args.response,
    sentAt,
  );
  if (!rec) return { id: null, templateUnknown: false };
  storeOutgoingMessages(db, [rec]);
  const templateUnknown =
    rec.templateName !== null &&
    !db
      .prepare('SELECT 1 FROM templates WHERE phone_number_id = ? AND name = ?')
      .get(args.channel, rec.templateName);
  return { id: rec.id, templateUnknown };
}
