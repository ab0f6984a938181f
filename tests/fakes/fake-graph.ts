import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  bearerToken,
  GraphSimulator,
  graphError,
  type MetaFixture,
  requestParams,
  type SimRequest,
  type SimResponse,
  type SimulatorOptions,
} from '../../src/core/meta/demo-graph';

// A fake Graph API on 127.0.0.1 speaking the shapes documented at https://developers.facebook.com/docs/marketing-api:
// the fixture simulator answers; tests inject faults (throttling 400s, 5xx bursts, 190, usage headers)
// per request and script Login for Devices.

export interface LoggedRequest {
  index: number;
  method: string;
  path: string;
  params: URLSearchParams;
  /** The Authorization header as received. */
  authorization: string | null;
  /** The request body as received (JSON for the Conversions API). */
  body: string;
  /** The client hung up before its answer was written (e.g. it was killed during a hold). */
  aborted: boolean;
}

export type Fault = (req: LoggedRequest) => SimResponse | undefined;

/** A path the simulator does not know (the Conversions API): undefined passes the request on. */
export type Route = (req: SimRequest, logged: LoggedRequest) => SimResponse | undefined;

export type DeviceStep = 'pending' | 'slow_down' | 'expired' | 'declined' | 'authorized';

export interface FakeGraphOptions extends SimulatorOptions {
  fixture: MetaFixture;
  /** Consulted before the simulator; the first answer wins. */
  faults?: Fault[];
  /** Extra headers (usage) per request. */
  headers?: (req: LoggedRequest) => Record<string, string> | undefined;
  device?: { appId: string; clientToken: string; steps: DeviceStep[] };
  /** Consulted after the faults, before the simulator. */
  routes?: Route[];
  /**
   * Holds a request before it is answered (faults and routes run after the hold): a test can kill a
   * client while its request is in flight, then release the hold.
   */
  hold?: (req: LoggedRequest) => Promise<void> | undefined;
}

export interface FakeGraph {
  url: string;
  log: LoggedRequest[];
  simulator: GraphSimulator;
  close(): Promise<void>;
}

// Error bodies the way Meta sends them.
export const throttled = (code = 17, subcode = 2446079) =>
  graphError(400, code, 'User request limit reached', subcode, {
    is_transient: true,
    error_user_title: 'Too many calls',
  });
export const serverError = (): SimResponse => ({
  status: 500,
  body: { error: { message: 'An unknown error occurred', code: 1, type: 'OAuthException' } },
});
export const tokenExpired = () =>
  graphError(
    400,
    190,
    'Error validating access token: Session has expired on Tuesday, 24-Nov-26 10:00:00 PST.',
    463,
  );
export const reduceData = (): SimResponse => ({
  status: 500,
  body: {
    error: {
      message: "Please reduce the amount of data you're asking for, then retry your request",
      code: 1,
    },
  },
});

export function usageHeaders(pct: number, regainMinutes = 0): Record<string, string> {
  return {
    'x-business-use-case-usage': JSON.stringify({
      '1234567890': [
        {
          type: 'ads_insights',
          call_count: pct,
          total_cputime: 10,
          total_time: 10,
          estimated_time_to_regain_access: regainMinutes,
        },
      ],
    }),
    'x-ad-account-usage': JSON.stringify({ acc_id_util_pct: Math.min(pct, 50), reset_time_duration: 0 }),
    'x-app-usage': JSON.stringify({ call_count: 5, total_cputime: 1, total_time: 1 }),
    'x-fb-ads-insights-throttle': JSON.stringify({ app_id_util_pct: 1, acc_id_util_pct: 1 }),
  };
}

export async function startFakeGraph(options: FakeGraphOptions): Promise<FakeGraph> {
  const simulator = new GraphSimulator(options.fixture, options);
  const log: LoggedRequest[] = [];
  const deviceSteps = [...(options.device?.steps ?? [])];

  const answer = (req: SimRequest, logged: LoggedRequest): SimResponse => {
    for (const fault of options.faults ?? []) {
      const r = fault(logged);
      if (r) return r;
    }
    for (const route of options.routes ?? []) {
      const r = route(req, logged);
      if (r) return r;
    }
    const parts = req.url.pathname.split('/').filter(Boolean);
    if (parts[1] === 'device' && options.device) return device(parts[2], req);
    return simulator.handle(req);
  };

  const device = (what: string | undefined, req: SimRequest): SimResponse => {
    const d = options.device!;
    const params = req.params;
    if (bearerToken(req) !== `${d.appId}|${d.clientToken}`)
      return graphError(400, 190, 'Invalid OAuth access token.');
    if (what === 'login') {
      return {
        status: 200,
        body: {
          code: 'DEVICECODE123',
          user_code: 'ABCD-EFGH',
          verification_uri: 'https://www.facebook.com/device',
          expires_in: 420,
          interval: 5,
        },
      };
    }
    if (params.get('code') !== 'DEVICECODE123') return graphError(400, 100, 'Param code is invalid');
    const step = deviceSteps.shift() ?? 'pending';
    const sub = { pending: 1349174, slow_down: 1349172, expired: 1349152, declined: 1349173 } as const;
    if (step === 'authorized')
      return { status: 200, body: { access_token: options.fixture.token, expires_in: 5183944 } };
    return graphError(400, 31, step, sub[step]);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const body = Buffer.concat(chunks).toString('utf8');
      const params = requestParams(url, req.headers['content-type']?.includes('json') ? null : body);
      const logged: LoggedRequest = {
        index: log.length,
        method: req.method ?? 'GET',
        path: url.pathname,
        params,
        authorization: req.headers.authorization ?? null,
        body,
        aborted: false,
      };
      log.push(logged);
      res.on('close', () => {
        if (!res.writableFinished) logged.aborted = true;
      });
      let r: SimResponse;
      try {
        await options.hold?.(logged);
        r = answer({ method: logged.method, url, params, authorization: logged.authorization }, logged);
      } catch (err) {
        // A broken fault in a test must fail the test, not hang the client.
        r = { status: 500, body: { error: { message: `fake graph: ${String(err)}`, code: 1 } } };
      }
      if (logged.aborted) return;
      res.writeHead(r.status, {
        'content-type': 'application/json',
        ...options.headers?.(logged),
        ...r.headers,
      });
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    simulator,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
