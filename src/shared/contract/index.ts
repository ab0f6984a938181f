import type { z } from 'zod';
import type { JobInfo } from './app';
import { appMethods } from './app';
import { collectorMethods } from './collector';
import { contactsMethods } from './contacts';
import { conversionsMethods } from './conversions';
import { dialog360Methods } from './dialog360';
import { ingestMethods } from './ingest';
import { metaMethods } from './meta';
import { overviewMethods } from './overview';
import { reportMethods } from './report';
import { settingsMethods } from './settings';
import { sourcesMethods } from './sources';
import { unattributedMethods } from './unattributed';

/**
 * The one API of Insights Desktop. Each area declares its methods in its own file; this merges them.
 * Electron IPC, the HTTP API of browser mode and the CLI all serve exactly this object.
 */
export const contract = {
  ...appMethods,
  ...reportMethods,
  ...sourcesMethods,
  ...settingsMethods,
  ...ingestMethods,
  ...dialog360Methods,
  ...collectorMethods,
  ...contactsMethods,
  ...metaMethods,
  ...conversionsMethods,
  ...unattributedMethods,
  ...overviewMethods,
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type ArgsOf<M extends MethodName> = z.input<Contract[M]['args']>;
export type ParsedArgsOf<M extends MethodName> = z.output<Contract[M]['args']>;
export type ResultOf<M extends MethodName> = z.output<Contract[M]['result']>;

/** What a renderer holds: one async function per method. */
export type Api = { [M in MethodName]: (args: ArgsOf<M>) => Promise<ResultOf<M>> };

export const methodNames = Object.keys(contract) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(contract, name);
}

/** Events the core pushes to every open UI (IPC channel `insights:event`, SSE `/api/events`). */
export type CoreEvent =
  | { type: 'job'; job: JobInfo }
  | {
      type: 'data-changed';
      workspace: string;
      what: 'messages' | 'events' | 'sources' | 'settings' | 'spend' | 'all';
    };

export type CallResult =
  /** handlerMs: the handler's own time in its lane (IPC and HTTP alike); bench:ui sets it against the call. */
  | { ok: true; value: unknown; handlerMs?: number }
  | { ok: false; error: { code: string; message: string; field?: string } };

export * from './app';
export * from './collector';
export * from './contacts';
export * from './conversions';
export * from './define';
export * from './dialog360';
export * from './errors';
export * from './ingest';
export * from './limits';
export * from './meta';
export * from './overview';
export * from './report';
export * from './settings';
export * from './sources';
export * from './unattributed';
