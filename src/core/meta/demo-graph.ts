import type { MetaSyncSummary } from '../../shared/contract/meta';
import type { Db } from '../db/open';
import { refreshAccounts, selectAccounts } from './accounts';
import { checkToken, saveConnection } from './connection';
import type { MetaFixture } from './demo-graph/fixture';
import { createFixtureFetch, type SimulatorOptions } from './demo-graph/simulator';
import { GraphClient } from './graph-client';
import { DEFAULT_API_VERSION, DEFAULT_GRAPH_URL } from './settings';
import { runMetaSync } from './sync';

// The demo's Graph API: a simulator in memory that the demo workspace (and the tests' fake server) syncs
// through the real client and sync code, so demo spend takes the same path as a real account's. Not a test
// fixture: production code (the demo build and "Sync now" in a demo workspace) runs it. Shapes as Meta
// documents them: numbers as strings and async report runs
// (https://developers.facebook.com/docs/marketing-api/insights), paging.next links
// (https://developers.facebook.com/docs/graph-api/results), error bodies {error:{message,type,code,
// error_subcode}} (https://developers.facebook.com/docs/graph-api/guides/error-handling).
// Its data is in demo-graph/fixture.ts, the simulator in demo-graph/simulator.ts; this module wires them
// to the real client and sync.

export * from './demo-graph/fixture';
export * from './demo-graph/simulator';

/** A Graph client answering from a fixture in process (the demo's and the tests' Graph). */
export function fixtureClient(
  fixture: MetaFixture,
  opts: { simulator?: SimulatorOptions; signal?: AbortSignal } = {},
): GraphClient {
  return new GraphClient({
    baseUrl: DEFAULT_GRAPH_URL,
    version: DEFAULT_API_VERSION,
    accessToken: fixture.token,
    fetch: createFixtureFetch(fixture, opts.simulator),
    sleep: async () => {},
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

/**
 * The demo path: connects (method "demo"), lists and selects the fixture's accounts, and runs the
 * real sync against the in-process fixture transport. `now` decides "today" (default: the clock).
 */
export async function syncFromFixture(
  db: Db,
  fixture: MetaFixture,
  opts: { since?: string; now?: () => number; simulator?: SimulatorOptions } = {},
): Promise<MetaSyncSummary> {
  const now = opts.now ?? Date.now;
  const noWait = async () => {};
  const client = fixtureClient(fixture, opts.simulator ? { simulator: opts.simulator } : {});
  saveConnection(db, 'demo', await checkToken(client, fixture.token), now());
  await refreshAccounts(db, client, now());
  selectAccounts(
    db,
    fixture.accounts.map((a) => a.id),
  );
  return runMetaSync({ db, client, now, sleep: noWait }, { since: opts.since ?? fixture.from });
}
