import { randomBytes } from 'node:crypto';
import type { CoreHost } from '../core/host/host';
import { type RunningServer, startServer } from '../core/server/server';

/**
 * Tries the configured port and, when another process holds it (a running `insights serve`, a second
 * profile), falls back to a free one, so the app still opens and receives.
 */
export async function listenWithFallback<T>(start: (port: number) => Promise<T>, port: number): Promise<T> {
  try {
    return await start(port);
  } catch (err) {
    if (port === 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return start(0);
  }
}

/**
 * The same receivers as `insights serve` (webhooks, external events, collector sync), so data arrives
 * while the app is open. Bound to 127.0.0.1; the /api routes require a random token that nothing
 * outside this process knows (the app's own UI talks over IPC).
 */
export function startReceivers(host: CoreHost, port: number): Promise<RunningServer> {
  const apiToken = randomBytes(24).toString('base64url');
  return listenWithFallback((p) => startServer({ host, listenHost: '127.0.0.1', port: p, apiToken }), port);
}
