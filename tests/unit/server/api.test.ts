import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../../src/core/server/server';
import { makeTestCore, type TestCore } from '../../helpers/core';

let core: TestCore;
let server: RunningServer;
const token = 'test-token-123';
const base = () => `http://127.0.0.1:${server.port}`;
const post = (method: string, body: unknown, auth: string | null = token) =>
  fetch(`${base()}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

beforeAll(async () => {
  core = makeTestCore();
  server = await startServer({ host: core.host, apiToken: token, port: 0, bodyLimit: 64 * 1024 });
});
afterAll(async () => {
  await server.close();
  await core.close();
});

describe('HTTP API (browser mode)', () => {
  it('answers a contract call with {ok, value}', async () => {
    const res = await post('workspaces.create', { args: { name: 'acme' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, value: { name: 'acme' } });
    const list = await (await post('workspaces.list', { args: {} })).json();
    expect(list.value.map((w: { name: string }) => w.name)).toEqual(['acme']);
  });

  it("sends the handler's own time in the body and as Server-Timing", async () => {
    const res = await post('workspaces.list', { args: {} });
    const body = (await res.json()) as { ok: boolean; handlerMs: number; value: unknown };
    expect(body).toMatchObject({ ok: true, value: expect.any(Array) });
    expect(res.headers.get('server-timing')).toBe(`handler;dur=${body.handlerMs}`);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('refuses a missing or wrong token with 401 and changes nothing', async () => {
    expect((await post('workspaces.create', { args: { name: 'x1' } }, null)).status).toBe(401);
    expect((await post('workspaces.create', { args: { name: 'x2' } }, 'wrong')).status).toBe(401);
    const list = await (await post('workspaces.list', { args: {} })).json();
    expect(list.value.map((w: { name: string }) => w.name)).toEqual(['acme']);
  });

  it('refuses foreign Host headers on loopback (DNS rebinding)', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/workspaces.list',
          method: 'POST',
          headers: {
            host: 'evil.example:80',
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
          },
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end('{"args":{}}');
    });
    expect(status).toBe(401);
  });

  it('maps validation errors to 400 naming the field, unknown methods to 404', async () => {
    const bad = await post('workspaces.create', { args: { name: 'NO SPACES' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'name' } });
    expect((await post('no.such', { args: {} })).status).toBe(404);
    expect((await post('workspaces.list', '{"args": ')).status).toBe(400);
  });

  it('refuses bodies over the limit with 413', async () => {
    const res = await post('workspaces.list', { args: {}, pad: 'x'.repeat(70 * 1024) });
    expect(res.status).toBe(413);
  });

  it('streams events to authorised SSE clients only', async () => {
    expect((await fetch(`${base()}/api/events`)).status).toBe(401);
    const controller = new AbortController();
    const res = await fetch(`${base()}/api/events?token=${token}`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('connected');
    controller.abort();
  });
});
