import type { CoreEvent, MethodName, ResultOf } from '../../shared/contract';

/**
 * What an area's receivers and schedulers need from the process that owns the lanes. CoreHost
 * implements it; areas depend on this interface, never on host/host.ts, so the host stays above them.
 */
export interface HostApi {
  readonly dataDir: string;
  /** A contract call, validated like any other caller's. */
  call<M extends MethodName>(method: M, workspace: string | undefined, args: unknown): Promise<ResultOf<M>>;
  /** A receiver's internal operation (not in the contract); the handler validates its payload. */
  internal(name: string, workspace: string, args: unknown, lane?: 'read' | 'write' | 'job'): Promise<unknown>;
  onEvent(listener: (e: CoreEvent) => void): () => void;
  /**
   * Whether a workspace exists, where that is not a folder of dataDir (the PostgreSQL collector: rows).
   * Absent: the workspace folders of dataDir decide.
   */
  hasWorkspace?(workspace: string): boolean;
}
