import type { CollectorStatus } from '../../shared/contract/collector';
import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import { networkReason } from '../dialog360/client';
import { secretName } from '../secrets/secret-store';

// The desktop's pull state for one workspace (table collector_state, migration 0006). The read token
// lives in the SecretStore under TOKEN_KEY, never in the database.

export const TOKEN_KEY = 'collector/token';
export const DEFAULT_INTERVAL_MINUTES = 15;

export const tokenSecretName = (workspace: string) => secretName(workspace, TOKEN_KEY);

export interface StateRow {
  url: string;
  interval_minutes: number;
  cursor: string | null;
  last_synced_at: number | null;
  last_attempt_at: number | null;
  last_error: string | null;
  online: number;
  received_payloads: number;
  received_events: number;
  received_outgoing: number;
}

export function readState(db: Db): StateRow | undefined {
  return db.prepare('SELECT * FROM collector_state WHERE id = 1').get() as StateRow | undefined;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function statusOf(row: StateRow | undefined): CollectorStatus {
  if (!row) {
    return {
      configured: false,
      url: null,
      intervalMinutes: DEFAULT_INTERVAL_MINUTES,
      lastSyncedAt: null,
      lastAttemptAt: null,
      lastError: null,
      online: false,
      received: { payloads: 0, events: 0, outgoing: 0 },
    };
  }
  return {
    configured: true,
    url: row.url,
    intervalMinutes: row.interval_minutes,
    lastSyncedAt: iso(row.last_synced_at),
    lastAttemptAt: iso(row.last_attempt_at),
    lastError: row.last_error,
    online: row.online === 1,
    received: {
      payloads: row.received_payloads,
      events: row.received_events,
      outgoing: row.received_outgoing,
    },
  };
}

/**
 * The collector's base URL, normalised. https anywhere; plain http only to this machine or a private
 * network, because the read token travels in a header and the feed carries customers' messages.
 */
export function normaliseCollectorUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ApiError(
      'invalid_argument',
      `"${raw}" is not a URL (e.g. https://collector.example.com)`,
      'url',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ApiError('invalid_argument', 'The collector URL must start with https://', 'url');
  }
  if (url.protocol === 'http:' && !isPrivateHost(url.hostname)) {
    throw new ApiError(
      'invalid_argument',
      'Use https:// for a collector on the internet (plain http is accepted only on this machine or a private network)',
      'url',
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ApiError(
      'invalid_argument',
      'The collector URL must not carry a user, a query or a fragment',
      'url',
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function isPrivateHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.local') || host === '[::1]') return true;
  const m = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (!m) return false;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return (
    a === 127 ||
    a === 10 ||
    (a === 192 && b === 168) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

/** Saves URL and interval. A different URL is a different collector: its cursor starts over. */
export function saveConfig(db: Db, url: string, intervalMinutes: number): void {
  const current = readState(db);
  if (current && current.url === url) {
    db.prepare('UPDATE collector_state SET interval_minutes = ? WHERE id = 1').run(intervalMinutes);
    return;
  }
  db.prepare(
    `INSERT INTO collector_state (id, url, interval_minutes) VALUES (1, ?, ?)
     ON CONFLICT (id) DO UPDATE SET url = excluded.url, interval_minutes = excluded.interval_minutes, cursor = NULL,
       last_synced_at = NULL, last_attempt_at = NULL, last_error = NULL, online = 0`,
  ).run(url, intervalMinutes);
}

export function markAttempt(db: Db, now: number): void {
  db.prepare('UPDATE collector_state SET last_attempt_at = ? WHERE id = 1').run(now);
}

export function markResult(
  db: Db,
  outcome: { ok: true; now: number } | { ok: false; error: string; online: boolean },
): void {
  if (outcome.ok) {
    db.prepare(
      'UPDATE collector_state SET last_synced_at = ?, last_error = NULL, online = 1 WHERE id = 1',
    ).run(outcome.now);
  } else {
    db.prepare('UPDATE collector_state SET last_error = ?, online = ? WHERE id = 1').run(
      outcome.error,
      outcome.online ? 1 : 0,
    );
  }
}

/** A request to the collector that did not reach it. */
export function unreachable(base: string, err: unknown): ApiError {
  return new ApiError('unavailable', `The collector at ${base} could not be reached (${networkReason(err)})`);
}

/** The collector answered 401/403: the read token is wrong or revoked. */
export function tokenRefused(status: number): ApiError {
  return new ApiError(
    'forbidden',
    `The collector refused the read token (HTTP ${status}): create a new one with insights collector token create`,
  );
}
