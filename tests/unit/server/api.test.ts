import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../../src/core/server/server';
import { CONTENT_SECURITY_POLICY } from '../../../src/shared/security-headers';
import { makeTestCore, type TestCore, tempDir } from '../../helpers/core';

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

  it('takes the token from the query string only for the SSE stream, never on a POST', async () => {
    const res = await fetch(`${base()}/api/workspaces.create?token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ args: { name: 'via-query' } }),
    });
    expect(res.status).toBe(401);
    const list = await (await post('workspaces.list', { args: {} })).json();
    expect(list.value.map((w: { name: string }) => w.name)).not.toContain('via-query');
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

describe('security headers (browser mode)', () => {
  const expectSecurityHeaders = (res: Response) => {
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  };

  it('come as HTTP headers on the page, its files, the API and the event stream', async () => {
    const dir = tempDir('insights-renderer-');
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
    const withPage = await startServer({ host: core.host, apiToken: token, port: 0, rendererDir: dir });
    try {
      const at = (p: string, init?: RequestInit) => fetch(`http://127.0.0.1:${withPage.port}${p}`, init);
      for (const p of ['/', '/assets/app.js', '/some/client/route']) {
        const res = await at(p);
        expect(res.status).toBe(200);
        expectSecurityHeaders(res);
        // The hashed bundle files are kept; the page that names them is checked on every load.
        expect(res.headers.get('cache-control')).toBe(
          p.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      }
      const api = (auth: string) =>
        at('/api/workspaces.list', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
          body: '{"args":{}}',
        });
      expectSecurityHeaders(await api(token));
      expectSecurityHeaders(await api('wrong'));
      const controller = new AbortController();
      const sse = await at(`/api/events?token=${token}`, { signal: controller.signal });
      expect(sse.status).toBe(200);
      expectSecurityHeaders(sse);
      controller.abort();
    } finally {
      await withPage.close();
    }
  });
});
