import { z } from 'zod';
import { isTimeZone } from '../timezone';

/**
 * Which worker lane runs a method. Reads run beside writes (SQLite WAL lets them), so a slow
 * report never delays a webhook acknowledgement; jobs (imports, syncs, rebuilds) get their own lane.
 */
export type Lane = 'read' | 'side' | 'write' | 'job' | 'host';
// 'host': answered by the process that owns the workers (preferences, the job list); never touches SQLite.
// 'side': reads a panel asks for once the report is on screen (template delivery), on a worker of their
// own, so that the next report (a click right after) never queues behind them on the read lane; and the
// quick reads the dashboard needs beside a report (the list of numbers), so they never queue behind it.

export interface MethodSpec<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly args: A;
  readonly result: R;
  readonly lane: Lane;
  /** One line for the API snapshot and the docs. */
  readonly summary: string;
  /** Data-folder level methods ignore the workspace of the envelope. */
  readonly scope?: 'workspace' | 'data-folder';
  /** Methods of the 'job' lane show in the job list under this kind (see JobKind). */
  readonly jobKind?: 'import' | 'collector-sync' | 'meta-sync' | 'conversions-send' | 'rebuild' | 'demo';
}

/** Keeps the literal lane and the exact schemas in the type, so handler maps can be checked against it. */
export function method<const S extends MethodSpec>(spec: S): S {
  return spec;
}

export const NoArgs = z.object({}).strict();
export const Ok = z.object({ ok: z.literal(true) });

/** Workspace names are folder-safe: lower-case letters, digits, dash, underscore. */
export const WorkspaceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a workspace name is 1-64 lower-case letters, digits, - or _');

export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD');
export const TimeZone = z
  .string()
  .trim()
  .min(1)
  .refine(isTimeZone, 'is not a time zone; use a name such as Europe/Berlin or America/New_York');

export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'a currency is a three-letter ISO 4217 code');

/** Errors cross every transport as this shape; `code` is stable, `message` is for people. */
export const ApiErrorShape = z.object({
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
});
export type ApiErrorShape = z.infer<typeof ApiErrorShape>;
