import type { TemplateInfo } from '../../shared/contract/dialog360';
import { ApiError } from '../../shared/contract/errors';
import { BASE_URL_SETTING, baseUrlFrom, Dialog360Client } from '../dialog360/client';
import {
  describeOutgoing,
  type RecordOutgoingArgs,
  type SendTarget,
  type TemplateLookup,
} from '../dialog360/send-proxy';
import { buttonsOf } from '../dialog360/templates';
import { channelApiKeyName, hashesEqual, hashSecret } from '../ingest/channels';
import type { SecretStore } from '../secrets/secret-store';
import { type PgStore, sql } from './pool';

// The send proxy's internal operations on PostgreSQL, and its template fetch (the route is src/core/dialog360/routes.ts).
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
  return sendTarget(store, secrets, row.workspace, channel);
}

/** What a call to 360dialog for the channel needs: its API key (this process's secret store) and base URL. */
export async function sendTarget(
  store: PgStore,
  secrets: SecretStore,
  workspace: string,
  channel: string,
  /** A key given for a check, instead of the stored one. */
  given?: string,
): Promise<SendTarget> {
  const apiKey = given ?? (await secrets.get(channelApiKeyName(workspace, channel)));
  if (!apiKey)
    throw new ApiError(
      'invalid_argument',
      `Channel "${channel}" has no 360dialog API key on this collector: store it with insights channels add ${channel} --api-key … --database …`,
      'apiKey',
    );
  const [setting] = await store.query<{ value: string }>(SETTING, [workspace, BASE_URL_SETTING]);
  const fromSetting = setting ? (JSON.parse(setting.value) as string | null) : null;
  return { workspace, apiKey, baseUrl: baseUrlFrom(fromSetting) };
}

const TEMPLATES_OF = sql(
  'templates_of',
  `SELECT language, components FROM templates WHERE workspace = $1 AND phone_number_id = $2 AND name = $3
   ORDER BY language`,
);
const UPSERT_TEMPLATE = sql(
  'template_upsert',
  `INSERT INTO templates (workspace, phone_number_id, name, language, status, category, components, synced_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (workspace, phone_number_id, name, language)
   DO UPDATE SET status = EXCLUDED.status, category = EXCLUDED.category, components = EXCLUDED.components,
     synced_at = EXCLUDED.synced_at`,
);

/**
 * dialog360.recordOutgoing: the accepted message, stored once per message id, with its template's button
 * titles when the template was fetched (templatesSyncPg); `templateUnknown` makes the route fetch them and
 * record the message again.
 */
export async function recordOutgoingPg(
  store: PgStore,
  workspace: string,
  args: RecordOutgoingArgs,
): Promise<{ id: string | null; templateUnknown: boolean }> {
  if (typeof args?.channel !== 'string' || args.channel === '')
    throw new ApiError('invalid_argument', 'recordOutgoing needs a channel', 'channel');
  const sentAt = args.sentAt ?? Math.floor(Date.now() / 1000);
  const recordOf = (templates: TemplateLookup) =>
    describeOutgoing(templates, args.channel, args.request, args.response, sentAt);
  // Described once to learn the template's name, then with its stored buttons.
  const name = recordOf(() => [])?.templateName ?? null;
  const stored = name
    ? await store.query<{ language: string; components: string }>(TEMPLATES_OF, [
        workspace,
        args.channel,
        name,
      ])
    : [];
  const rec = recordOf((_c, _n, language) => {
    const t = stored.find((r) => language === undefined || r.language === language);
    return t ? buttonsOf(JSON.parse(t.components) as unknown[]) : [];
  });
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
  return { id: rec.id, templateUnknown: name !== null && stored.length === 0 };
}

/** templates.sync for a PostgreSQL collector: the channel's templates from 360dialog, kept in PostgreSQL. */
export async function templatesSyncPg(
  store: PgStore,
  secrets: SecretStore,
  workspace: string,
  channel: string,
): Promise<{ channel: string; templates: number; buttons: number }> {
  const [row] = await store.query<{ workspace: string }>(CHANNEL, [channel]);
  if (!row || row.workspace !== workspace)
    throw new ApiError('not_found', `No channel "${channel}" in this workspace`, 'channel');
  const target = await sendTarget(store, secrets, workspace, channel);
  const templates = await new Dialog360Client({
    baseUrl: target.baseUrl,
    apiKey: target.apiKey,
  }).getTemplates();
  const now = Date.now();
  let buttons = 0;
  for (const t of templates) {
    buttons += buttonsOf(t.components).length;
    await store.query(UPSERT_TEMPLATE, [
      workspace,
      channel,
      t.name,
      t.language,
      t.status,
      t.category,
      JSON.stringify(t.components),
      now,
    ]);
  }
  return { channel, templates: templates.length, buttons };
}

/** templates.list on PostgreSQL: the templates fetched for the workspace's channels (or one channel). */
export async function listTemplatesPg(
  store: PgStore,
  workspace: string,
  channel?: string,
): Promise<TemplateInfo[]> {
  const rows = await store.query<{
    phone_number_id: string;
    name: string;
    language: string;
    status: string | null;
    category: string | null;
    components: string;
    synced_at: number;
  }>(
    sql(
      'templates_list',
      `SELECT phone_number_id, name, language, status, category, components, synced_at FROM templates
       WHERE workspace = $1 AND ($2::text IS NULL OR phone_number_id = $2) ORDER BY phone_number_id, name, language`,
    ),
    [workspace, channel ?? null],
  );
  return rows.map((r) => ({
    channel: r.phone_number_id,
    name: r.name,
    language: r.language,
    status: r.status,
    category: r.category,
    buttons: buttonsOf(JSON.parse(r.components) as unknown[]),
    syncedAt: new Date(r.synced_at).toISOString(),
  }));
}
