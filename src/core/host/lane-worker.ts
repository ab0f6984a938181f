import { parentPort, workerData } from 'node:worker_threads';
import { toErrorShape } from '../../shared/contract/errors';
import type { Handlers, InternalHandlers } from '../kernel/context';
import type { SecretStore } from '../secrets/secret-store';
import { Dispatcher } from './dispatcher';
import type { FromWorker, ToWorker, WorkerInit } from './protocol';
import { encodeJson } from './wire';

// A lane's worker thread: owns its SQLite connections, runs handlers, and asks the host for secrets
// (in Electron only the main thread may use safeStorage). entry/worker.ts runs it with every handler.

export function runLaneWorker(handlers: Handlers, internal: InternalHandlers): void {
  const port = parentPort;
  if (!port) throw new Error('worker.ts must run as a worker thread');
  const init = workerData as WorkerInit;
  const post = (m: FromWorker) => port.postMessage(m);

  let nextReq = 1;
  const pendingSecrets = new Map<
    number,
    { resolve: (v: string | null) => void; reject: (e: Error) => void }
  >();
  function askSecret(op: 'get' | 'set' | 'delete', name: string, value?: string): Promise<string | null> {
    const reqId = nextReq++;
    return new Promise((resolve, reject) => {
      pendingSecrets.set(reqId, { resolve, reject });
      post(value === undefined ? { t: 'secret', reqId, op, name } : { t: 'secret', reqId, op, name, value });
    });
  }
  const secrets: SecretStore = {
    backend: init.secretBackend,
    warning: init.secretWarning,
    get: (name) => askSecret('get', name),
    set: async (name, value) => {
      await askSecret('set', name, value);
    },
    delete: async (name) => {
      await askSecret('delete', name);
    },
  };

  const dispatcher = new Dispatcher({
    dataDir: init.dataDir,
    secrets,
    handlers,
    internal,
    ...(init.nativeBinding ? { nativeBinding: init.nativeBinding } : {}),
  });
  const running = new Map<number, AbortController>();

  port.on('message', (msg: ToWorker) => {
    if (msg.t === 'cancel') {
      running.get(msg.id)?.abort();
      return;
    }
    if (msg.t === 'secret-reply') {
      const p = pendingSecrets.get(msg.reqId);
      pendingSecrets.delete(msg.reqId);
      if (!p) return;
      if (msg.ok) p.resolve(msg.value ?? null);
      else p.reject(new Error(msg.error ?? 'secret store failed'));
      return;
    }
    const controller = new AbortController();
    running.set(msg.id, controller);
    const started = performance.now();
    dispatcher
      .run(
        msg.name,
        msg.workspace,
        msg.args,
        {
          signal: controller.signal,
          progress: (fraction, detail) =>
            post(
              detail === undefined
                ? { t: 'progress', id: msg.id, fraction }
                : { t: 'progress', id: msg.id, fraction, detail },
            ),
          emit: (event) => post({ t: 'event', event }),
        },
        msg.internal,
      )
      .then(
        (value) => {
          const handlerMs = performance.now() - started;
          if (!msg.wire) return post({ t: 'result', id: msg.id, ok: true, value, handlerMs });
          const json = encodeJson(value);
          port.postMessage(
            { t: 'result', id: msg.id, ok: true, value: null, json, handlerMs } satisfies FromWorker,
            [json.buffer as ArrayBuffer],
          );
        },
        (err) =>
          post({
            t: 'result',
            id: msg.id,
            ok: false,
            error: toErrorShape(err),
            handlerMs: performance.now() - started,
          }),
      )
      .finally(() => running.delete(msg.id));
  });

  process.on('exit', () => dispatcher.close());
}
