import type { InsightsBridge } from '../../../shared/bridge';
// Types only from the contract index: its zod schemas stay out of the renderer bundle (the core validates).
import type { Api, ArgsOf, CallResult, CoreEvent, MethodName, ResultOf } from '../../../shared/contract';
import { ApiError } from '../../../shared/contract/errors';

declare global {
  interface Window {
    insights?: InsightsBridge;
  }
}

/** How the renderer reaches the core: Electron IPC through the preload bridge, or HTTP in browser mode. */
export interface Transport {
  readonly kind: 'ipc' | 'http';
  call(method: MethodName, workspace: string, args: unknown): Promise<CallResult>;
  onEvent(listener: (e: CoreEvent) => void): () => void;
}

function ipcTransport(bridge: InsightsBridge): Transport {
  return {
    kind: 'ipc',
    // The main process answers JSON text, like the HTTP API: parsed here, in the page's own world.
    call: async (method, workspace, args) =>
      JSON.parse(await bridge.methods[method](workspace, args)) as CallResult,
    onEvent: (l) => bridge.onEvent(l),
  };
}

const TOKEN_KEY = 'insights.apiToken';

/** Browser mode: the token arrives once in the URL fragment and is kept for the tab's life. */
export function takeTokenFromLocation(): string | null {
  const m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function httpTransport(token: string | null): Transport {
  return {
    kind: 'http',
    async call(method, workspace, args) {
      let res: Response;
      try {
        res = await fetch(`/api/${method}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ workspace, args }),
        });
      } catch {
        return { ok: false, error: { code: 'offline', message: 'The Insights server is not reachable' } };
      }
      try {
        return (await res.json()) as CallResult;
      } catch {
        return { ok: false, error: { code: 'internal', message: `The server answered ${res.status}` } };
      }
    },
    onEvent(listener) {
      const es = new EventSource(`/api/events${token ? `?token=${encodeURIComponent(token)}` : ''}`);
      es.onmessage = (m) => {
        try {
          listener(JSON.parse(m.data) as CoreEvent);
        } catch {
          // ignore a malformed event
        }
      };
      return () => es.close();
    },
  };
}

export function detectTransport(): Transport {
  return window.insights ? ipcTransport(window.insights) : httpTransport(takeTokenFromLocation());
}

/** How long a call took as the page saw it, and the handler's own part of it (bench:ui splits the two). */
export interface CallTiming {
  start: number;
  end: number;
  handlerMs: number | null;
}

export interface Client {
  readonly transport: Transport;
  /** The workspace every call goes to; the workspace switcher changes it. */
  workspace: string;
  readonly api: Api;
  /** One call with its timing: for the calls the dashboard's performance marks are about. */
  timed<M extends MethodName>(
    method: M,
    args: ArgsOf<M>,
  ): Promise<{ value: ResultOf<M>; timing: CallTiming }>;
}

/** A typed client: `client.api['report.get'](args)`; failures reject with an ApiError. */
export function createClient(transport: Transport, workspace = 'default'): Client {
  const client = { transport, workspace } as Client;
  const timed = async (method: MethodName, args: unknown) => {
    const start = performance.now();
    const r = await transport.call(method, client.workspace, args ?? {});
    const timing = {
      start,
      end: performance.now(),
      handlerMs: r.ok && typeof r.handlerMs === 'number' ? r.handlerMs : null,
    };
    if (!r.ok) throw ApiError.from(r.error);
    return { value: r.value, timing };
  };
  (client as { timed: unknown }).timed = timed;
  const cache = new Map<string, (args: unknown) => Promise<unknown>>();
  // A proxy instead of a loop over the method names: the names live in the zod contract, which the
  // renderer does not bundle. The types still allow only contract methods.
  const api = new Proxy({} as Record<string, unknown>, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined;
      let fn = cache.get(name);
      if (!fn) {
        fn = async (args: unknown) => (await timed(name as MethodName, args)).value;
        cache.set(name, fn);
      }
      return fn;
    },
  });
  (client as { api: Api }).api = api as unknown as Api;
  return client;
}

export type { ArgsOf, ResultOf };
