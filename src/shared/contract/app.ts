import { z } from 'zod';
import { method, NoArgs, Ok, WorkspaceName } from './define';
import { MAX_FUNNEL_STEPS } from './limits';
import { AttributionModel, CompareTo, RangePreset } from './report';

export const Workspace = z.object({
  name: WorkspaceName,
  isDemo: z.boolean(),
  sizeBytes: z.number().int().nonnegative(),
  modifiedAt: z.string().nullable(),
});
export type Workspace = z.infer<typeof Workspace>;

export const PhoneNumber = z.object({
  id: z.string(),
  display: z.string().nullable(),
  name: z.string().nullable(),
  firstMessageAt: z.string().nullable(),
  lastMessageAt: z.string().nullable(),
});
export type PhoneNumber = z.infer<typeof PhoneNumber>;

export const JobKind = z.enum([
  'import',
  'collector-sync',
  'meta-sync',
  'conversions-send',
  'rebuild',
  'demo',
]);
export const JobInfo = z.object({
  id: z.string(),
  kind: JobKind,
  workspace: z.string(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  /** 0..1, or null while the total is unknown. */
  progress: z.number().min(0).max(1).nullable(),
  detail: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
});
export type JobInfo = z.infer<typeof JobInfo>;

/** Preferences the renderer keeps through the core (electron-store in Electron, a JSON file in browser mode). */
export const Preferences = z.object({
  workspace: WorkspaceName.optional(),
  phoneId: z.string().optional(),
  range: z
    .object({ preset: z.enum([...RangePreset.options, 'custom']), from: z.string(), to: z.string() })
    .partial()
    .optional(),
  eventByPhone: z.record(z.string(), z.string()).optional(),
  funnelByPhone: z.record(z.string(), z.array(z.string()).max(MAX_FUNNEL_STEPS)).optional(),
  /** The attribution model chosen beside the event picker, per number (docs/metrics.md "Attribution models"). */
  modelByPhone: z.record(z.string(), AttributionModel).optional(),
  /** The report timezone chosen in the top bar, per workspace ("" = the workspace's setting). */
  timezoneByWorkspace: z.record(z.string(), z.string().max(100)).optional(),
  theme: z.enum(['system', 'light', 'dark']).optional(),
  /** What the dashboard and the overview compare with (docs/metrics.md "Previous period"). */
  compare: CompareTo.optional(),
  table: z
    .object({
      sort: z.object({ column: z.string(), desc: z.boolean() }).optional(),
      groupAds: z.enum(['none', 'campaign', 'adset']).optional(),
      hiddenColumns: z.array(z.string()).optional(),
      /** Optional columns shown by the column chooser (contacts, impressions, clicks, CTR, …). */
      columns: z.array(z.string().max(64)).max(32).optional(),
    })
    .optional(),
});
export type Preferences = z.infer<typeof Preferences>;

export const AppInfo = z.object({
  version: z.string(),
  mode: z.enum(['electron', 'browser']),
  dataDir: z.string(),
  defaultWorkspace: WorkspaceName,
  secretBackend: z.string(),
  /** Set when secrets fall back to an unencrypted store (safeStorage basic_text); the UI warns. */
  secretWarning: z.string().nullable(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const appMethods = {
  'app.info': method({
    args: NoArgs,
    result: AppInfo,
    lane: 'host',
    scope: 'data-folder',
    summary: 'Version, mode and data folder',
  }),
  'workspaces.list': method({
    args: NoArgs,
    result: z.array(Workspace),
    lane: 'read',
    scope: 'data-folder',
    summary: 'Workspaces of the data folder',
  }),
  'workspaces.create': method({
    args: z.object({ name: WorkspaceName }).strict(),
    result: Workspace,
    lane: 'write',
    scope: 'data-folder',
    summary: 'Create an empty workspace',
  }),
  'demo.build': method({
    args: z.object({ seed: z.number().int().optional() }).strict(),
    result: z.object({
      workspace: WorkspaceName,
      conversations: z.number().int(),
      messages: z.number().int(),
    }),
    lane: 'job',
    jobKind: 'demo',
    scope: 'data-folder',
    summary: 'Rebuild the demo workspace through the real ingestion path',
  }),
  'phones.list': method({
    args: NoArgs,
    result: z.array(PhoneNumber),
    // Beside the report, not behind it: the dashboard's frame waits for the list (a launch asks both at once).
    lane: 'side',
    summary: 'Business numbers of the workspace',
  }),
  'prefs.get': method({
    args: NoArgs,
    result: Preferences,
    lane: 'host',
    scope: 'data-folder',
    summary: 'Stored preferences',
  }),
  'prefs.set': method({
    args: Preferences,
    result: Preferences,
    lane: 'host',
    scope: 'data-folder',
    summary: 'Merge into the stored preferences',
  }),
  'jobs.list': method({
    args: NoArgs,
    result: z.array(JobInfo),
    lane: 'host',
    scope: 'data-folder',
    summary: 'Running and recent jobs',
  }),
  'jobs.cancel': method({
    args: z.object({ id: z.string() }).strict(),
    result: Ok,
    lane: 'host',
    scope: 'data-folder',
    summary: 'Ask a running job to stop',
  }),
};
