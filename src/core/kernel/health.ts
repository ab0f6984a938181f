// What a store tells GET /healthz (src/core/server/health.ts): which backend this process writes to and
// a cheap check that it answers. Here, between the server and the areas, so that each store (SQLite,
// PostgreSQL: src/core/pg/health.ts) gives its own without reaching into the server.

export type Backend = 'sqlite' | 'postgres';

export interface BackendHealth {
  backend: Backend;
  /** Resolves when the store answers; rejects (or times out) when it does not. */
  check(): Promise<void>;
}

/** Longest a health check waits for the database: a probe that hangs is as bad as one that fails. */
export const HEALTH_TIMEOUT_MS = 1000;
