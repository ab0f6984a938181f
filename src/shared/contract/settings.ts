import { z } from 'zod';
import { CurrencyCode, method } from './define';

// settings.*: the attribution settings of a workspace (src/core/attribution/config.ts): conversation and
// attribution windows, report currency and timezone, the rollup threshold. They shape the derived data,
// so a change re-derives. Other settings live with their area: ingest.settings.* (raw retention),
// dialog360.settings (base URL), meta.* (connection), prefs.* (this computer's preferences).

export const SettingKey = z.enum([
  'conversationWindowHours',
  'attributionWindowDays',
  'currency',
  'rollupThreshold',
  'timezone',
  'attributionLookbackDays',
]);
export type SettingKey = z.infer<typeof SettingKey>;

export const AttributionSettings = z.object({
  conversationWindowHours: z.number().int(),
  attributionWindowDays: z.number().int(),
  currency: CurrencyCode,
  rollupThreshold: z.number().int(),
  timezone: z.string(),
  /** L of the attribution models first_touch and last_paid_touch, in days (docs/metrics.md "Attribution models"). */
  attributionLookbackDays: z.number().int(),
  /** True while the derived data still reflects older window/keyword/timezone settings (a rebuild is due or running). */
  rebuildPending: z.boolean(),
});
export type AttributionSettings = z.infer<typeof AttributionSettings>;

export const settingsMethods = {
  'settings.get': method({
    args: z.object({}).strict(),
    result: AttributionSettings,
    lane: 'read',
    summary: 'Attribution settings',
  }),
  'settings.applyDerivation': method({
    args: z.object({}).strict(),
    result: z.object({ rebuilt: z.boolean() }),
    lane: 'job',
    jobKind: 'rebuild',
    summary:
      'Re-derive when the derived data was built with other settings or an older version of the rules (the app asks on opening a workspace)',
  }),
  'settings.set': method({
    args: z.object({ key: SettingKey, value: z.union([z.string(), z.number()]) }).strict(),
    result: AttributionSettings.extend({ rebuilt: z.boolean() }),
    lane: 'job',
    jobKind: 'rebuild',
    summary:
      'Change a setting; window, timezone or attribution window rebuild the derived data with progress',
  }),
};
