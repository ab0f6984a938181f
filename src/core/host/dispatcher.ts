import type { CoreEvent } from '../../shared/contract';
import { ApiError } from '../../shared/contract/errors';
import { type Db, openDatabase } from '../db/open';
import type { CoreContext, Handlers, InternalHandlers } from '../kernel/context';
import type { SecretStore } from '../secrets/secret-store';
import { workspaceDbPath } from '../workspace/workspaces';

export interface DispatchHooks {
  progress(fraction: number | null, detail?: string): void;
  emit(event: CoreEvent): void;
  signal: AbortSignal;
}

export interface DispatcherOptions {
  dataDir: string;
  secrets: SecretStore;
  handlers: Handlers;
  internal: InternalHandlers;
  nativeBinding?: string;
}

/**
 * Runs handlers against cached per-workspace connections. One dispatcher lives in each worker
 * thread (or inline in the CLI and tests): connections are never shared across threads.
 */
export class Dispatcher {
  private readonly dbs = new Map<string, Db>();
  constructor(private readonly options: DispatcherOptions) {}

  db(workspace: string): Db {
    let db = this.dbs.get(workspace);
    if (!db) {
      db = openDatabase(workspaceDbPath(this.options.dataDir, workspace), {
        ...(this.options.nativeBinding ? { nativeBinding: this.options.nativeBinding } : {}),
      });
      this.dbs.set(workspace, db);
    }
    return db;
  }

  closeDb(workspace: string): void {
    this.dbs.get(workspace)?.close();
    this.dbs.delete(workspace);
  }

  async run(
    name: string,
    workspace: string,
    args: unknown,
    hooks: DispatchHooks,
    internal = false,
  ): Promise<unknown> {
    const table = (internal ? this.options.internal : this.options.handlers) as Record<
      string,
      ((a: unknown, c: CoreContext) => unknown) | undefined
    >;
    const handler = Object.hasOwn(table, name) ? table[name] : undefined;
    if (!handler) throw new ApiError('not_found', `Unknown method ${name}`);
    const ctx: CoreContext = {
      dataDir: this.options.dataDir,
      workspace,
      db: () => this.db(workspace),
      dbFor: (ws) => this.db(ws),
      closeDb: (ws) => this.closeDb(ws),
      secrets: this.options.secrets,
      progress: hooks.progress,
      signal: hooks.signal,
      emit: hooks.emit,
      yield: () => new Promise((resolve) => setImmediate(resolve)),
    };
    return await handler(args, ctx);
  }

  close(): void {
    for (const db of this.dbs.values()) db.close();
    this.dbs.clear();
  }
}
