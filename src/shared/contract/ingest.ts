import { z } from 'zod';
import { method, Ok } from './define';
import { PhoneNumberId } from './phone-number-id';

export { PhoneNumberId };

// Ingestion: external-event API keys, quarantine, file import, raw retention
// (channels: dialog360.ts; erasing a contact: contacts.ts).
// Secrets (channel secrets, API keys) appear only in the result of the call that creates them.

export const ApiKeyInfo = z.object({
  id: z.string(),
  name: z.string().nullable(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>;

export const QuarantineItem = z.object({
  id: z.number().int(),
  receivedAt: z.string(),
  origin: z.string(),
  channel: z.string().nullable(),
  reason: z.string(),
  contentType: z.string().nullable(),
  size: z.number().int(),
});
export type QuarantineItem = z.infer<typeof QuarantineItem>;

const LineError = z.object({ file: z.string(), line: z.number().int(), reason: z.string() });

export const ImportFileSummary = z.object({
  file: z.string(),
  kind: z.enum(['webhooks', 'external-events', 'send-log']),
  lines: z.number().int(),
  payloads: z.number().int(),
  duplicatePayloads: z.number().int(),
  messages: z.number().int(),
  statuses: z.number().int(),
  events: z.number().int(),
  duplicateEvents: z.number().int(),
  outgoing: z.number().int(),
  bad: z.number().int(),
});
export type ImportFileSummary = z.infer<typeof ImportFileSummary>;

export const ImportSummary = z.object({
  files: z.array(ImportFileSummary),
  /** The first 100 bad lines with their line numbers; `bad` counts them all. */
  errors: z.array(LineError),
  seconds: z.number(),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

export const IngestSettings = z.object({
  /** Raw payloads older than this many days lose their body (derived data stays); null keeps them forever. */
  rawRetentionDays: z.number().int().min(1).max(36500).nullable(),
});
export type IngestSettings = z.infer<typeof IngestSettings>;

export const ingestMethods = {
  'keys.create': method({
    args: z.object({ name: z.string().trim().max(100).optional() }).strict(),
    result: ApiKeyInfo.extend({ key: z.string() }),
    lane: 'write',
    summary: 'Create an API key for the external-events endpoint; the result shows it once',
  }),
  'keys.list': method({
    args: z.object({}).strict(),
    result: z.array(ApiKeyInfo),
    lane: 'read',
    summary: 'API keys (never the keys themselves)',
  }),
  'keys.revoke': method({
    args: z.object({ id: z.string().min(1) }).strict(),
    result: Ok,
    lane: 'write',
    summary: 'Revoke an API key',
  }),
  'quarantine.list': method({
    args: z.object({ limit: z.number().int().min(1).max(10000).optional() }).strict(),
    result: z.object({ total: z.number().int(), items: z.array(QuarantineItem) }),
    lane: 'read',
    summary: 'Deliveries that could not be read, newest first',
  }),
  'quarantine.show': method({
    args: z.object({ id: z.number().int() }).strict(),
    result: QuarantineItem.extend({ body: z.string() }),
    lane: 'read',
    summary: 'A quarantined body and why it was refused',
  }),
  'quarantine.retry': method({
    args: z.union([z.object({ id: z.number().int() }).strict(), z.object({ all: z.literal(true) }).strict()]),
    result: z.object({ retried: z.number().int(), stored: z.number().int(), stillBad: z.number().int() }),
    lane: 'write',
    summary: 'Run quarantined bodies through ingestion again (stored ones leave the quarantine)',
  }),
  'quarantine.delete': method({
    args: z.union([z.object({ id: z.number().int() }).strict(), z.object({ all: z.literal(true) }).strict()]),
    result: z.object({ deleted: z.number().int() }),
    lane: 'write',
    summary: 'Delete quarantined bodies',
  }),
  'import.files': method({
    args: z
      .object({
        files: z.array(z.string().min(1)).min(1),
        /** phone_number_id for On-Premise payloads (they carry no business number). */
        channel: PhoneNumberId.optional(),
      })
      .strict(),
    result: ImportSummary,
    lane: 'job',
    jobKind: 'import',
    summary: 'Import webhook payloads (NDJSON/JSON, .gz), external events (CSV) or a send log (CSV/NDJSON)',
  }),
  'ingest.settings.get': method({
    args: z.object({}).strict(),
    result: IngestSettings,
    lane: 'read',
    summary: 'Raw payload retention',
  }),
  'ingest.settings.set': method({
    args: IngestSettings.strict(),
    result: IngestSettings.extend({ pruned: z.number().int() }),
    lane: 'write',
    summary: 'Set raw payload retention and apply it now',
  }),
};
