import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../../src/core/server/server';
import { makeTestCore, type TestCore } from '../../helpers/core';
import { textDelivery } from '../../helpers/webhook';

// The request log (pino JSON lines) and /healthz of the server every collector runs.

let core: TestCore;
let server: RunningServer;
const lines: string[] = [];
let secret: string;
let apiKey: string;
const API_TOKEN = 'api-token-never-logged-7f3a';

beforeAll(async () => {
  core = makeTestCore();
  server = await startServer({
    host: core.host,
    apiToken: API_TOKEN,
    port: 0,
    log: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
  });
  secret = (await core.call('channels.add', { phoneNumberId: '1234567890' })).secret;
  apiKey = (await core.call('keys.create', { name: 'shop' })).key;
});
afterAll(async () => {
  await server.close();
  await core.close();
});

const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('request log', () => {
  it('puts a request id on every line of a request, echoes it, and takes a sane one from the caller', async () => {
    const mine = await fetch(`${server.url}/webhooks/360dialog/1234567890`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'x-request-id': 'lb-7a1f.42:3' },
      body: JSON.stringify(
        textDelivery({
          phoneNumberId: '1234567890',
          waId: '4915100000001',
          id: 'wamid.log.1',
          ts: 1732550400,
          body: 'hi',
        }),
      ),
    });
    expect(mine.status).toBe(200);
    expect(mine.headers.get('x-request-id')).toBe('lb-7a1f.42:3');
    const ours = logged().filter((l) => l.reqId === 'lb-7a1f.42:3');
    expect(ours.map((l) => l.msg)).toEqual(['incoming request', 'request completed']);

    // An id that could forge or bloat a line is replaced by one of ours.
    for (const bad of ['a b', '"}{"level":60', 'x'.repeat(200)]) {
      const r = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': bad } });
      const id = r.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(logged().filter((l) => l.reqId === id)).toHaveLength(2);
    }
    // Every line logged for a request carries its id.
    const requestLines = logged().filter((l) => l.req || l.res);
    expect(requestLines.length).toBeGreaterThan(0);
    for (const l of requestLines) expect(typeof l.reqId).toBe('string');
  });

  it('never logs a secret: channel secret, API token, api_key in a body, token in a URL', async () => {
    await fetch(`${server.url}/clients/c1/external-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: apiKey, external_event: { action: 'x' } }),
    });
    await fetch(`${server.url}/webhooks/360dialog/1234567890`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}` },
      body: '{not json',
    });
    await fetch(`${server.url}/api/app.info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const ac = new AbortController();
    const stream = await fetch(`${server.url}/api/events?token=${API_TOKEN}&x=1`, { signal: ac.signal });
    expect(stream.status).toBe(200);
    ac.abort();
    const text = lines.join('');
    expect(text).toContain('/api/events?token=…&x=…');
    expect(text).toContain('/clients/c1/external-events');
    for (const s of [secret, apiKey, API_TOKEN]) expect(text).not.toContain(s);
  });
});

describe('/healthz', () => {
  it('reports the embedded store by default', async () => {
    const r = await fetch(`${server.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true, backend: 'sqlite', database: 'ok' });
  });

  it('answers 503 when the database fails or does not answer in time, without the error', async () => {
    const failing = await startServer({
      host: core.host,
      apiToken: null,
      port: 0,
      health: {
        backend: 'postgres',
        check: () => Promise.reject(new Error('password for user "insights" wrong')),
      },
    });
    const hanging = await startServer({
      host: core.host,
      apiToken: null,
      port: 0,
      health: { backend: 'postgres', check: () => new Promise(() => {}) },
    });
    try {
      const r = await fetch(`${failing.url}/healthz`);
      expect(r.status).toBe(503);
      const text = await r.text();
      expect(JSON.parse(text)).toEqual({ ok: false, backend: 'postgres', database: 'unreachable' });
      expect(text).not.toContain('insights');
      const started = Date.now();
      const h = await fetch(`${hanging.url}/healthz`);
      expect(h.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await failing.close();
      await hanging.close();
    }
  });
});
