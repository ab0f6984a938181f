import type { CoreEvent, MethodName, ResultOf } from '../../shared/contract';
import { ApiError } from '../../shared/contract/errors';
import { type HandoverResult, parseSentConversions } from '../collector/handover';
import type { RecordOutgoingArgs } from '../dialog360/send-proxy';
import type { HostApi } from '../kernel/host-api';
import type { SecretStore } from '../secrets/secret-store';
import { authorizeTokenPg } from './admin';
import { readPgPage } from './feed';
import { migratePg } from './migrate';
import { pgMigrations } from './migrations';
import { openPgStore, type PgStore, type PoolOptions, sql } from './pool';
import { lookupPg, receiveExternalEventPg, receiveWebhookPg } from './receivers';
import { authorizeSendPg, recordOutgoingPg, templatesSyncPg } from './send-proxy';

// ─── Design: the collector on PostgreSQL (issue 18) ─────────────────────────────────────────────────────
// `insights serve --database postgres://…` keeps the receivers' routes exactly as they are (webhooks,
// external events, send proxy, GET /v1/sync, POST /v1/conversions/sent: src/core/*/routes.ts). Routes reach
// storage only through HostApi.internal(name, workspace, args); PgCollector is a HostApi whose internal()
// answers those operations from PostgreSQL instead of a SQLite write lane. Everything else (the /api
// dashboard, contract calls, events) still goes to the process's own CoreHost (`local`).
//
// - PostgreSQL holds the raw store only: channels (secret hashes), API-key and read-token hashes, settings,
//   raw payloads, external events, outgoing messages, erasures, quarantine (migrations/0001_collector.ts).
//   Nothing derived: desktops derive from the feed with the same ingestion path as from a SQLite collector.
// - Several processes, one database: each delivery is one transaction, answered after its COMMIT; unique
//   constraints + ON CONFLICT DO NOTHING absorb a retry or the same delivery reaching two processes.
// - PostgreSQL unreachable: pool.ts turns connection errors into ApiError('unavailable') → 503 (never 200);
//   the pool connects again by itself on the next request.
// - The feed cursor is a per-table (xid, seq) position below the snapshot's xmin: feed.ts explains why no
//   row committed late is ever skipped.
// - Modules: pool.ts (pool, named statements, 503 mapping), migrate.ts + migrations/ (numbered, checksummed,
//   under an advisory lock), receivers.ts (webhook, events, lookup), send-proxy.ts, feed.ts, admin.ts
//   (channels / keys / tokens for the CLI and collector.authorize), this file (the HostApi).
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────

const SENT_ELSEWHERE = sql(
  'sent_elsewhere_insert',
  `INSERT INTO conversions_sent_elsewhere (workspace, event_id, entry, received_at)
   SELECT $1, e->>'eventId', e, $3 FROM jsonb_array_elements($2::jsonb) AS e ON CONFLICT DO NOTHING RETURNING 1`,
);

export class PgCollector implements HostApi {
  constructor(
    readonly store: PgStore,
    private readonly secrets: SecretStore,
    /** The process's own host: contract calls and events (the dashboard), never a receiver's storage. */
    private readonly local: HostApi,
  ) {}

  get dataDir(): string {
    return this.local.dataDir;
  }

  call<M extends MethodName>(method: M, workspace: string | undefined, args: unknown): Promise<ResultOf<M>> {
    // The send proxy fetches templates it does not know yet; on PostgreSQL they are kept there.
    if (method === 'templates.sync') {
      const channel = String((args as { channel?: unknown })?.channel ?? '');
      return templatesSyncPg(this.store, this.secrets, workspace ?? 'default', channel) as Promise<
        ResultOf<M>
      >;
    }
    return this.local.call(method, workspace, args);
  }

  onEvent(listener: (e: CoreEvent) => void): () => void {
    return this.local.onEvent(listener);
  }

  /** Workspaces live in PostgreSQL rows, not folders: a read token's own lookup decides. */
  hasWorkspace(): boolean {
    return true;
  }

  async internal(name: string, workspace: string, args: unknown): Promise<unknown> {
    const a = (args ?? {}) as Record<string, unknown>;
    switch (name) {
      case 'ingest.lookup':
        return lookupPg(this.store, args);
      case 'ingest.webhook':
        return receiveWebhookPg(this.store, workspace, args);
      case 'ingest.externalEvent':
        return receiveExternalEventPg(this.store, workspace, args);
      case 'dialog360.authorizeSend':
        return authorizeSendPg(this.store, this.secrets, a);
      case 'dialog360.recordOutgoing':
        return recordOutgoingPg(this.store, workspace, args as RecordOutgoingArgs);
      case 'collector.authorize':
        return authorizeTokenPg(this.store, workspace, a.token);
      case 'collector.page': {
        const limit = typeof a.limit === 'number' && Number.isInteger(a.limit) && a.limit > 0 ? a.limit : 500;
        return readPgPage(
          this.store,
          workspace,
          typeof a.after === 'string' ? a.after : '',
          limit,
          !!a.count,
        );
      }
      case 'collector.conversionsSent':
        return this.conversionsSent(workspace, args);
      default:
        throw new ApiError('not_found', `${name} is not served by the PostgreSQL collector`);
    }
  }

  /**
   * POST /v1/conversions/sent: kept once per event id, for the process that sends this workspace's
   * conversions (it never sends them again).
   */
  private async conversionsSent(workspace: string, body: unknown): Promise<HandoverResult> {
    const { events } = parseSentConversions(body);
    const rows = await this.store.query(SENT_ELSEWHERE, [workspace, JSON.stringify(events), Date.now()]);
    return { ok: true, marked: rows.length, alreadySent: events.length - rows.length };
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** Opens the pool and brings the schema up to date (refusing a diverged one) before anything is served. */
export async function openPgCollector(
  url: string,
  secrets: SecretStore,
  local: HostApi,
  options: PoolOptions = {},
): Promise<PgCollector> {
  const store = openPgStore(url, options);
  try {
    await migratePg(store, pgMigrations);
  } catch (err) {
    await store.close();
    throw err;
  }
  return new PgCollector(store, secrets, local);
}
