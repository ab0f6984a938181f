// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, detectTransport } from '../../src/renderer/src/api/client';
import type { InsightsBridge } from '../../src/shared/bridge';

// The desktop transport: the preload bridge answers each call as JSON text, which the page parses.

function withBridge(answer: (method: string) => string) {
  const methods = new Proxy({}, { get: (_t, m) => async () => answer(String(m)) });
  window.insights = { methods, onEvent: () => () => undefined } as unknown as InsightsBridge;
}

afterEach(() => {
  delete window.insights;
});

describe('renderer client over IPC', () => {
  it("parses the main process's JSON text and keeps the handler's time", async () => {
    withBridge(() => '{"ok":true,"handlerMs":12.5,"value":{"version":"1.0"}}');
    const client = createClient(detectTransport());
    expect(client.transport.kind).toBe('ipc');
    const { value, timing } = await client.timed('app.info', {});
    expect(value).toEqual({ version: '1.0' });
    expect(timing.handlerMs).toBe(12.5);
    expect(timing.end).toBeGreaterThanOrEqual(timing.start);
    await expect(client.api['app.info']({})).resolves.toEqual({ version: '1.0' });
  });

  it('rejects with the ApiError of an error answer', async () => {
    withBridge(() => '{"ok":false,"error":{"code":"not_found","message":"No such job","field":"id"}}');
    const client = createClient(detectTransport());
    await expect(client.api['jobs.cancel']({ id: 'x' })).rejects.toMatchObject({
      code: 'not_found',
      message: 'No such job',
      field: 'id',
    });
  });
});
