import { z } from 'zod';
import { method, NoArgs, Ok } from './define';
import { PhoneNumberId } from './phone-number-id';

// 360dialog channels (the webhook channels with their secrets, key check, webhook registration), their
// templates, and the workspace's 360dialog base URL. Secrets appear only in the result that creates them.

/** phone_number_id as it appears in the webhook path /webhooks/360dialog/{channel}. */
export const ChannelId = PhoneNumberId;

export const Channel = z.object({
  // A result: a channel stored before the digits rule still lists.
  id: z.string(),
  name: z.string().nullable(),
  webhookPath: z.string(),
  hasApiKey: z.boolean(),
  createdAt: z.string(),
});
export type Channel = z.infer<typeof Channel>;

export const KeyCheck = z.object({
  channel: z.string(),
  valid: z.boolean(),
  /** HTTP status 360dialog answered with (401/403 for a refused key). */
  status: z.number().int(),
  baseUrl: z.string(),
});
export type KeyCheck = z.infer<typeof KeyCheck>;

export const WebhookStatus = z.object({
  channel: z.string(),
  /** What 360dialog currently delivers to; null when nothing is set. */
  url: z.string().nullable(),
  /** The receiver path this channel expects (`/webhooks/360dialog/<channel>`). */
  expectedPath: z.string(),
  /** The registered URL ends with this channel's receiver path. */
  pointsHere: z.boolean(),
});
export type WebhookStatus = z.infer<typeof WebhookStatus>;

export const TemplateInfo = z.object({
  channel: z.string(),
  name: z.string(),
  language: z.string(),
  status: z.string().nullable(),
  category: z.string().nullable(),
  buttons: z.array(z.object({ index: z.number().int(), type: z.string(), text: z.string() })),
  syncedAt: z.string(),
});
export type TemplateInfo = z.infer<typeof TemplateInfo>;

export const Dialog360Settings = z.object({
  /** Workspace override of the 360dialog base URL; null = INSIGHTS_360DIALOG_URL or the default. */
  baseUrl: z.string().nullable(),
  effectiveBaseUrl: z.string(),
});
export type Dialog360Settings = z.infer<typeof Dialog360Settings>;

export const dialog360Methods = {
  'channels.list': method({
    args: z.object({}).strict(),
    result: z.array(Channel),
    lane: 'read',
    summary: 'Webhook channels of the workspace',
  }),
  'channels.add': method({
    args: z
      .object({
        phoneNumberId: PhoneNumberId,
        name: z.string().trim().max(100).optional(),
        apiKey: z.string().trim().min(1).max(500).optional(),
      })
      .strict(),
    result: Channel.extend({ secret: z.string() }),
    lane: 'write',
    summary: 'Add a 360dialog channel; the result shows its webhook secret once',
  }),
  'channels.remove': method({
    // Lenient: a channel stored before the digits rule can still be removed.
    args: z.object({ id: z.string().trim().min(1).max(64) }).strict(),
    result: Ok,
    lane: 'write',
    summary: 'Remove a channel (its stored data stays)',
  }),
  'channels.checkKey': method({
    args: z.object({ channel: ChannelId, apiKey: z.string().min(1).optional() }).strict(),
    result: KeyCheck,
    lane: 'read',
    summary: "Ask 360dialog whether a channel's API key (stored, or given to test before saving) is accepted",
  }),
  'channels.registerWebhook': method({
    args: z.object({ channel: ChannelId, url: z.string().min(1) }).strict(),
    result: z.object({ channel: z.string(), url: z.string(), previousUrl: z.string().nullable() }),
    lane: 'read',
    summary: "Point 360dialog at the collector's public https URL, with the channel secret as Bearer header",
  }),
  'channels.webhookStatus': method({
    args: z.object({ channel: ChannelId }).strict(),
    result: WebhookStatus,
    lane: 'read',
    summary: 'Where 360dialog currently delivers the channel’s webhooks',
  }),
  'templates.sync': method({
    args: z.object({ channel: ChannelId }).strict(),
    result: z.object({ channel: z.string(), templates: z.number().int(), buttons: z.number().int() }),
    lane: 'job',
    jobKind: 'import',
    summary: 'Fetch the channel’s message templates from 360dialog and store them',
  }),
  'templates.list': method({
    args: z.object({ channel: ChannelId.optional() }).strict(),
    result: z.array(TemplateInfo),
    lane: 'read',
    summary: 'Stored message templates with their buttons',
  }),
  'dialog360.settings': method({
    args: NoArgs,
    result: Dialog360Settings,
    lane: 'read',
    summary: 'The 360dialog base URL this workspace uses',
  }),
  'dialog360.setSettings': method({
    args: z.object({ baseUrl: z.url({ protocol: /^https?$/ }).nullable() }).strict(),
    result: Dialog360Settings,
    lane: 'write',
    summary: 'Override the 360dialog base URL for this workspace (null restores the default)',
  }),
};
