// What GET /healthz reports: which store this process writes to and whether it can reach it. A load
// balancer's health check takes a process out on anything but 2xx (nginx `max_fails`, Caddy
// `health_uri`: https://caddyserver.com/docs/caddyfile/directives/reverse_proxy#active-health-checks),
// so an unreachable database answers 503, as do a process that is shutting down.

import { type Backend, type BackendHealth, HEALTH_TIMEOUT_MS } from '../kernel/health';

export type { BackendHealth };

/** The embedded store: a file this process opened itself, reachable while the process runs. */
export const SQLITE_HEALTH: BackendHealth = { backend: 'sqlite', check: async () => {} };

export type HealthAnswer =
  | { status: 200; body: { ok: true; backend: Backend; database: 'ok'; ms: number } }
  | {
      status: 503;
      body: { ok: false; backend: Backend; database: 'unreachable' | 'shutting_down' };
      /** For the log only: the answer is public and never names hosts, users or errors. */
      error?: string;
    };

/**
 * One probe at a time: checks that arrive while one runs share its outcome, so a burst of probes (a
 * few balancers, several paths) costs the database one query.
 */
export function healthProbe(health: BackendHealth, timeoutMs = HEALTH_TIMEOUT_MS) {
  let running: Promise<HealthAnswer> | null = null;
  const probe = async (): Promise<HealthAnswer> => {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        health.check(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      const ms = Math.round((performance.now() - started) * 10) / 10;
      return { status: 200, body: { ok: true, backend: health.backend, database: 'ok', ms } };
    } catch (err) {
      return {
        status: 503,
        body: { ok: false, backend: health.backend, database: 'unreachable' },
        error: err instanceof Error ? err.message : String(err),
      };
    } finally {
      clearTimeout(timer);
    }
  };
  return (): Promise<HealthAnswer> => {
    running ??= probe().finally(() => {
      running = null;
    });
    return running;
  };
}
