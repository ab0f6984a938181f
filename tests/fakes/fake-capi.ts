import {
  bearerToken,
  graphError,
  type MetaFixture,
  type SimRequest,
  type SimResponse,
} from '../../src/core/meta/demo-graph';
import { ACCEPTED_META_EVENT_NAMES, META_EVENT_NAMES } from '../../src/shared/contract/conversions';
import {
  type FakeGraph,
  type FakeGraphOptions,
  type Fault,
  type LoggedRequest,
  startFakeGraph,
} from './fake-graph';
import { testFixture } from './meta-fixture';

// A fake Conversions API for Business Messaging on the fake Graph server (127.0.0.1), answering the way
// Meta documents it: https://developers.facebook.com/docs/marketing-api/conversions-api/business-messaging/
// (dataset per WhatsApp Business Account, events with action_source business_messaging, messaging_channel
// whatsapp, user_data.whatsapp_business_account_id and ctwa_clid) and
// https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/server-event (event_time in
// Unix seconds, at most 7 days old, or the whole request is refused; currency and value for Purchase).
// Errors in Graph's shape (https://developers.facebook.com/docs/graph-api/guides/error-handling). Every
// other path (/me, ad accounts …) is the fixture simulator's, so Meta can be connected on the same server.
// Meta does not deduplicate business-messaging events: the ledger counts every accepted event_id, so a test
// can assert that each event reached Meta exactly once.

export interface CapiWaba {
  id: string;
  /** An existing dataset (GET finds it); otherwise POST creates one. */
  datasetId?: string;
  /** Meta refuses this account's events: "Messaging Event Within Messaging Restrictive Region" (EU). */
  restricted?: boolean;
}

export interface AcceptedEvent {
  eventId: string;
  eventName: string;
  eventTime: number;
  datasetId: string;
  wabaId: string;
  ctwaClid: string;
  customData: { currency: string; value: number } | null;
  testEventCode: string | null;
  partnerAgent: string | null;
  /** Index of the request in `log`. */
  request: number;
}

export interface CapiLedger {
  /** Every accepted event in arrival order, repeats included. */
  events: AcceptedEvent[];
  /** How often Meta accepted this event_id. */
  count(eventId: string): number;
  /** event_id → times accepted. */
  counts(): Map<string, number>;
  /** event_ids accepted more than once. */
  duplicates(): string[];
}

export interface FakeCapiOptions {
  wabas: CapiWaba[];
  /** For /me and the rest of the Graph simulator; its token is the one the events must carry. */
  fixture?: MetaFixture;
  faults?: Fault[];
  hold?: FakeGraphOptions['hold'];
  headers?: FakeGraphOptions['headers'];
  /** The clock deciding "older than 7 days" and "in the future" (ms). Default: Date.now. */
  now?: () => number;
  /**
   * Count the events of a request whose client hung up while it was held (Meta may well have processed
   * a request its sender never heard back from). Default false: such a request changes nothing.
   */
  countAborted?: boolean;
}

export interface FakeCapi extends FakeGraph {
  ledger: CapiLedger;
  /** WABA id → dataset id, as created or found. */
  datasets: Map<string, string>;
  /** Change an account's EU restriction between requests. */
  restrict(wabaId: string, restricted: boolean): void;
  /** The requests to /<dataset>/events. */
  eventRequests(): LoggedRequest[];
}

export const MAX_EVENTS_PER_REQUEST = 1000;
export const MAX_AGE_S = 7 * 86_400;
/** Meta's subcode for "event_time too far in the past" (the whole request is refused). */
export const SUBCODE_TOO_OLD = 2804003;
/** Reported by partners for event names Meta lists but does not accept for business messaging. */
export const SUBCODE_NAME_NOT_ACCEPTED = 2804066;
export const RESTRICTED_REGION = 'Messaging Event Within Messaging Restrictive Region';

const EVENTS_PATH = /^\/v\d+\.\d+\/(\d+)\/events$/;
const DATASET_PATH = /^\/v\d+\.\d+\/(\d+)\/dataset$/;

/** A fault for the first `n` requests to /events only (throttling, 5xx bursts, 190 …). */
export function eventsFault(n: number, make: () => SimResponse): Fault {
  let left = n;
  return (req) => {
    if (req.method !== 'POST' || !EVENTS_PATH.test(req.path) || left <= 0) return undefined;
    left--;
    return make();
  };
}

/** A code-100 "Invalid parameter" naming what is wrong, as Graph words it. */
const invalid = (what: string, subcode?: number, title = 'Invalid parameter') =>
  graphError(400, 100, 'Invalid parameter', subcode, { error_user_title: title, error_user_msg: what });

const noObject = (method: string, id: string) =>
  graphError(
    400,
    100,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    33,
  );

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Graph takes a JSON body, or a form whose `data` is a JSON string. */
function readBody(logged: LoggedRequest, req: SimRequest): Record<string, unknown> | null {
  try {
    const json: unknown = JSON.parse(logged.body);
    if (isObject(json)) return json;
  } catch {
    // a form body
  }
  const data = req.params.get('data');
  if (data === null) return null;
  try {
    return {
      data: JSON.parse(data) as unknown,
      ...(req.params.has('test_event_code') ? { test_event_code: req.params.get('test_event_code') } : {}),
      ...(req.params.has('partner_agent') ? { partner_agent: req.params.get('partner_agent') } : {}),
    };
  } catch {
    return null;
  }
}

/** The first thing wrong with event `i`, in words; null when it is well-formed. */
function eventProblem(e: unknown, i: number, wabaId: string, nowS: number): string | null {
  const at = `data[${i}]`;
  if (!isObject(e)) return `${at} must be an object`;
  if (typeof e.event_name !== 'string' || !(META_EVENT_NAMES as readonly string[]).includes(e.event_name))
    return `${at}.event_name must be one of ${META_EVENT_NAMES.join(', ')}`;
  if (typeof e.event_time !== 'number' || !Number.isInteger(e.event_time) || e.event_time <= 0)
    return `${at}.event_time must be a Unix time in seconds`;
  if (e.event_time > nowS + 60) return `${at}.event_time is in the future`;
  if (e.action_source !== 'business_messaging')
    return `${at}.action_source must be business_messaging for messaging events`;
  if (e.messaging_channel !== 'whatsapp') return `${at}.messaging_channel must be whatsapp`;
  if (!isObject(e.user_data)) return `${at}.user_data is required`;
  if (e.user_data.whatsapp_business_account_id !== wabaId)
    return `${at}.user_data.whatsapp_business_account_id must be the dataset's WhatsApp Business Account ${wabaId}`;
  if (typeof e.user_data.ctwa_clid !== 'string' || e.user_data.ctwa_clid.trim() === '')
    return `${at}.user_data.ctwa_clid is required`;
  if (e.custom_data !== undefined) {
    const c = e.custom_data;
    if (!isObject(c)) return `${at}.custom_data must be an object`;
    if (typeof c.currency !== 'string' || !/^[A-Za-z]{3}$/.test(c.currency))
      return `${at}.custom_data.currency must be a three-letter ISO 4217 code`;
    if (typeof c.value !== 'number' || !Number.isFinite(c.value) || c.value < 0)
      return `${at}.custom_data.value must be a number`;
  } else if (e.event_name === 'Purchase') {
    return `${at}.custom_data.currency and value are required for Purchase events`;
  }
  if (typeof e.event_id !== 'string' || e.event_id === '') return `${at}.event_id must be a string`;
  return null;
}

export async function startFakeCapi(options: FakeCapiOptions): Promise<FakeCapi> {
  const fixture = options.fixture ?? testFixture();
  const now = options.now ?? Date.now;
  const wabas = new Map(options.wabas.map((w) => [w.id, { ...w }]));
  const datasets = new Map<string, string>();
  for (const w of options.wabas) if (w.datasetId) datasets.set(w.id, w.datasetId);
  let nextDataset = 1;
  const events: AcceptedEvent[] = [];

  const wabaOf = (datasetId: string) => [...datasets].find(([, d]) => d === datasetId)?.[0];

  const dataset = (req: SimRequest, wabaId: string): SimResponse => {
    if (!wabas.has(wabaId)) return noObject(req.method, wabaId);
    const existing = datasets.get(wabaId);
    if (req.method === 'GET') {
      // Reading an edge with nothing on it: Graph's empty list.
      return { status: 200, body: existing ? { id: existing } : { data: [] } };
    }
    if (req.method !== 'POST') return noObject(req.method, wabaId);
    // POST returns the account's dataset, creating it the first time.
    const id = existing ?? `90000000000${String(nextDataset++).padStart(4, '0')}`;
    datasets.set(wabaId, id);
    return { status: 200, body: { id } };
  };

  const receive = (req: SimRequest, logged: LoggedRequest, datasetId: string): SimResponse => {
    const wabaId = wabaOf(datasetId);
    if (req.method !== 'POST' || !wabaId) return noObject(req.method, datasetId);
    const body = readBody(logged, req);
    if (!body || !Array.isArray(body.data) || body.data.length === 0)
      return invalid('The parameter data is required: an array of 1 to 1,000 events');
    const data: unknown[] = body.data;
    if (data.length > MAX_EVENTS_PER_REQUEST)
      return invalid(`data may hold at most ${MAX_EVENTS_PER_REQUEST} events per request`);
    for (const key of ['test_event_code', 'partner_agent'] as const) {
      if (body[key] !== undefined && typeof body[key] !== 'string') return invalid(`${key} must be a string`);
    }
    const nowS = Math.floor(now() / 1000);
    for (let i = 0; i < data.length; i++) {
      const problem = eventProblem(data[i], i, wabaId, nowS);
      if (problem) return invalid(problem);
    }
    const list = data as Record<string, unknown>[];
    // One event older than 7 days refuses the whole request.
    const old = list.findIndex((e) => (e.event_time as number) < nowS - MAX_AGE_S);
    if (old >= 0) {
      return invalid(
        `The timestamp of data[${old}] is too far in the past: events must be sent within 7 days of event_time.`,
        SUBCODE_TOO_OLD,
        'Event Timestamp Too Old',
      );
    }
    const unaccepted = list.findIndex(
      (e) => !(ACCEPTED_META_EVENT_NAMES as readonly string[]).includes(e.event_name as string),
    );
    if (unaccepted >= 0) {
      return invalid(
        `data[${unaccepted}].event_name ${String(list[unaccepted]!.event_name)} is not accepted for business messaging events`,
        SUBCODE_NAME_NOT_ACCEPTED,
        'Event Name Not Supported',
      );
    }
    if (wabas.get(wabaId)!.restricted) {
      return graphError(400, 100, RESTRICTED_REGION, undefined, {
        error_user_title: RESTRICTED_REGION,
        error_user_msg:
          'Messaging events of this WhatsApp Business Account cannot be received in its region.',
      });
    }
    if (logged.aborted && !options.countAborted) return { status: 499, body: {} };
    for (const e of list) {
      const user = e.user_data as Record<string, string>;
      events.push({
        eventId: e.event_id as string,
        eventName: e.event_name as string,
        eventTime: e.event_time as number,
        datasetId,
        wabaId,
        ctwaClid: user.ctwa_clid!,
        customData: (e.custom_data as AcceptedEvent['customData']) ?? null,
        testEventCode: (body.test_event_code as string | undefined) ?? null,
        partnerAgent: (body.partner_agent as string | undefined) ?? null,
        request: logged.index,
      });
    }
    return {
      status: 200,
      body: { events_received: list.length, messages: [], fbtrace_id: `FakeCapi${logged.index}` },
    };
  };

  const route = (req: SimRequest, logged: LoggedRequest): SimResponse | undefined => {
    const ds = DATASET_PATH.exec(req.url.pathname);
    const ev = EVENTS_PATH.exec(req.url.pathname);
    if (!ds && !ev) return undefined;
    if (bearerToken(req) !== fixture.token)
      return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
    return ds ? dataset(req, ds[1]!) : receive(req, logged, ev![1]!);
  };

  const graph = await startFakeGraph({
    fixture,
    routes: [route],
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.hold ? { hold: options.hold } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });

  const counts = () => {
    const m = new Map<string, number>();
    for (const e of events) m.set(e.eventId, (m.get(e.eventId) ?? 0) + 1);
    return m;
  };
  return {
    ...graph,
    datasets,
    ledger: {
      events,
      count: (id) => counts().get(id) ?? 0,
      counts,
      duplicates: () => [...counts()].filter(([, n]) => n > 1).map(([id]) => id),
    },
    restrict: (wabaId, restricted) => {
      const w = wabas.get(wabaId);
      if (!w) throw new Error(`fake capi: unknown WABA ${wabaId}`);
      w.restricted = restricted;
    },
    eventRequests: () => graph.log.filter((r) => r.method === 'POST' && EVENTS_PATH.test(r.path)),
  };
}
