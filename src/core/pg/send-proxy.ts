import { ApiError } from '../../shared/contract/errors';
import { BASE_URL_SETTING, baseUrlFrom } from '../dialog360/client';
import { describeOutgoing, type RecordOutgoingArgs, type SendTarget } from '../dialog360/send-proxy';
import { channelApiKeyName, hashesEqual, hashSecret } from '../ingest/channels';
import type { SecretStore } from '../secrets/secret-store';
import { type PgStore, sql } from './pool';

// The send proxy's two internal operations on PostgreSQL (the route is src/core/dialog360/routes.ts).
// The channel and its secret's hash come from PostgreSQL; the 360dialog API key the proxy forwards with is
// a secret this process uses itself, so it comes from the process's own secret store, never the database.

const CHANNEL = sql('send_channel', 'SELECT workspace, secret_hash FROM channels WHERE phone_number_id = $1');
const SETTING = sql('setting_get', 'SELECT value FROM settings WHERE workspace = $1 AND key = $2');
const UPSERT_OUTGOING = sql(
  'outgoing_upsert',
  // A changed row takes a new (xid, seq), so the feed serves it again (desktops upsert outgoing messages).
  `INSERT INTO outgoing_messages AS o (workspace, id, phone_number_id, contact_id, template_name, sent_at, buttons, origin)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
   ON CONFLICT (workspace, id) DO UPDATE SET
     phone_number_id = coalesce(EXCLUDED.phone_number_id, o.phone_number_id),
     contact_id = coalesce(EXCLUDED.contact_id, o.contact_id),
     template_name = coalesce(EXCLUDED.template_name, o.template_name),
     sent_at = coalesce(EXCLUDED.sent_at, o.sent_at),
     buttons = CASE WHEN EXCLUDED.buttons = '[]' THEN o.buttons ELSE EXCLUDED.buttons END,
     xid = pg_current_xact_id(),
     seq = nextval(pg_get_serial_sequence('outgoing_messages', 'seq'))
   WHERE EXCLUDED.phone_number_id IS DISTINCT FROM o.phone_number_id AND EXCLUDED.phone_number_id IS NOT NULL
      OR EXCLUDED.contact_id IS DISTINCT FROM o.contact_id AND EXCLUDED.contact_id IS NOT NULL
      OR EXCLUDED.template_name IS DISTINCT FROM o.template_name AND EXCLUDED.template_name IS NOT NULL
      OR EXCLUDED.sent_at IS DISTINCT FROM o.sent_at AND EXCLUDED.sent_at IS NOT NULL
      OR EXCLUDED.buttons <> '[]' AND EXCLUDED.buttons IS DISTINCT FROM o.buttons`,
);

/** dialog360.authorizeSend: the channel's workspace, its Bearer secret checked, and what to forward with. */
export async function authorizeSendPg(
  store: PgStore,
  secrets: SecretStore,
  args: { channel?: unknown; authorization?: unknown },
): Promise<SendTarget> {
  const channel = typeof args?.channel === 'string' ? args.channel : '';
  const auth = typeof args?.authorization === 'string' ? args.authorization : '';
  const [row] = channel
    ? await store.query<{ workspace: string; secret_hash: Buffer }>(CHANNEL, [channel])
    : [];
  // Unknown channel and wrong secret answer alike, so the proxy does not reveal which channels exist.
  const given = auth.startsWith('Bearer ') ? hashSecret(auth.slice(7).trim()) : null;
  if (!row || !given || !hashesEqual(row.secret_hash, given))
    throw new ApiError('unauthorized', 'Missing or wrong channel secret (Authorization: Bearer <secret>)');
  const apiKey = await secrets.get(channelApiKeyName(row.workspace, channel));
  if (!apiKey)
    throw new ApiError(
      'invalid_argument',
      `Channel "${channel}" has no 360dialog API key on this collector: store it with insights channels add ${channel} --api-key … --database …`,
      'apiKey',
    );
  const [setting] = await store.query<{ value: string }>(SETTING, [row.workspace, BASE_URL_SETTING]);
  const fromSetting = setting ? (JSON.parse(setting.value) as string | null) : null;
  return { workspace: row.workspace, apiKey, baseUrl: baseUrlFrom(fromSetting) };
}

/**
 * dialog360.recordOutgoing: the accepted message, stored once per message id. Templates are not kept in
 * PostgreSQL, so a template message is recorded with its name and without its buttons' titles.
 */
export async function recordOutgoingPg(
  store: PgStore,
  workspace: string,
  args: RecordOutgoingArgs,
): Promise<{ id: string | null; templateUnknown: boolean }> {
  if (typeof args?.channel !== 'string' || args.channel === '')
    throw new ApiError('invalid_argument', 'recordOutgoing needs a channel', 'channel');
  const rec = describeOutgoing(
    null,
    args.channel,
    args.request,
    args.response,
    args.sentAt ?? Math.floor(Date.now() / 1000),
  );
  if (!rec) return { id: null, templateUnknown: false };
  await store.query(UPSERT_OUTGOING, [
    workspace,
    rec.id,
    rec.phoneNumberId,
    rec.contactId,
    rec.templateName,
    rec.sentAt,
    JSON.stringify(rec.buttons),
    rec.origin,
  ]);
  return { id: rec.id, templateUnknown: false };
}
