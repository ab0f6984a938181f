import type { Contract, CoreEvent, MethodName, ParsedArgsOf, ResultOf } from '../../shared/contract';
import type { Db } from '../db/open';
import type { SecretStore } from '../secrets/secret-store';

/** What a handler gets besides its validated arguments. The same in a worker thread and inline. */
export interface CoreContext {
  readonly dataDir: string;
  readonly workspace: string;
  /** This lane's connection to the envelope's workspace (opened and migrated on first use). */
  db(): Db;
  /** A connection to another workspace of the data folder (data-folder methods such as demo.build). */
  dbFor(workspace: string): Db;
  /** Close this lane's connection to a workspace, e.g. before deleting its file. */
  closeDb(workspace: string): void;
  readonly secrets: SecretStore;
  /** Progress of a job-lane call: fraction 0..1 or null when unknown. Cheap; throttled by the host. */
  progress(fraction: number | null, detail?: string): void;
  /** Aborted when the user cancels the job. Long handlers check it between chunks. */
  readonly signal: AbortSignal;
  emit(event: CoreEvent): void;
  /** Lets other messages (cancel, other calls) through between chunks of a long job. */
  yield(): Promise<void>;
}

export type Handler<M extends MethodName> = (
  args: ParsedArgsOf<M>,
  ctx: CoreContext,
) => ResultOf<M> | Promise<ResultOf<M>>;

type CoreMethodName = { [M in MethodName]: Contract[M]['lane'] extends 'host' ? never : M }[MethodName];

/** Every contract method that is not answered by the host itself has exactly one handler. */
export type Handlers = { [M in CoreMethodName]: Handler<M> };

/**
 * Internal operations for the receivers (webhooks, external events, send proxy, collector sync).
 * They are not part of the renderer's contract; each validates its own input.
 */
export type InternalHandler = (args: unknown, ctx: CoreContext) => unknown;
export type InternalHandlers = Record<string, InternalHandler>;
