import type { CoreEvent } from '../../shared/contract';
import type { ApiErrorShape } from '../../shared/contract/define';

// Messages between the host (main thread) and a lane's worker thread.

export type ToWorker =
  | {
      t: 'call';
      id: number;
      name: string;
      workspace: string;
      args: unknown;
      internal: boolean;
      /** Answer with the result as UTF-8 JSON (`json`) instead of the value: it goes to HTTP or IPC. */
      wire: boolean;
    }
  | { t: 'cancel'; id: number }
  | { t: 'secret-reply'; reqId: number; ok: boolean; value?: string | null; error?: string };

export type FromWorker =
  | { t: 'result'; id: number; ok: true; value: unknown; json?: Uint8Array; handlerMs: number }
  | { t: 'result'; id: number; ok: false; error: ApiErrorShape; handlerMs: number }
  | { t: 'progress'; id: number; fraction: number | null; detail?: string }
  | { t: 'event'; event: CoreEvent }
  | { t: 'secret'; reqId: number; op: 'get' | 'set' | 'delete'; name: string; value?: string };

export interface WorkerInit {
  dataDir: string;
  lane: string;
  nativeBinding?: string;
  secretBackend: string;
  secretWarning: string | null;
}
