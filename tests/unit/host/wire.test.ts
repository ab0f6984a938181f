import { describe, expect, it } from 'vitest';
import { encodeJson, errorEnvelope, okEnvelope, okEnvelopeBytes, roundMs } from '../../../src/core/host/wire';

describe('wire envelopes', () => {
  it('wraps a result already in JSON into the CallResult without re-serialising it', () => {
    const value = { rows: [{ id: 'ad:1', name: 'Ad "one" · Café 👋', invested: null }], n: 2 };
    const text = okEnvelope(encodeJson(value), 12.345);
    expect(JSON.parse(text)).toEqual({ ok: true, handlerMs: 12.3, value });
    // The same bytes for HTTP, without decoding the result.
    expect(okEnvelopeBytes(encodeJson(value), 12.345).toString('utf8')).toBe(text);
  });

  it('carries a handler that returns nothing as null, and errors as their shape', () => {
    expect(JSON.parse(okEnvelope(encodeJson(undefined), 0))).toEqual({ ok: true, handlerMs: 0, value: null });
    expect(JSON.parse(errorEnvelope({ code: 'not_found', message: 'No such job', field: 'id' }))).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'No such job', field: 'id' },
    });
    expect(roundMs(0.04)).toBe(0);
  });
});
