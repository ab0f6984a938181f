import type { ApiErrorShape } from '../../shared/contract/define';

// The transports' wire form: the CallResult as JSON text, the same bytes over HTTP and over IPC. Over IPC
// a string crosses Electron's channel and the context bridge as one value, where a report's object graph
// (thousands of source rows) would be structured-cloned in the main process and copied again by the bridge
// (https://www.electronjs.org/docs/latest/tutorial/ipc#object-serialization,
// https://www.electronjs.org/docs/latest/api/context-bridge#parameter--error--return-type-support).

/** A result as JSON text; a handler that returns nothing answers null. */
export function toJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A result as UTF-8 JSON, made where the result is (the lane's worker): its buffer is then transferred to
 * the main thread, not copied (https://nodejs.org/api/worker_threads.html#portpostmessagevalue-transferlist),
 * so the thread that serves HTTP and IPC does no work that grows with a report's size.
 */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(toJson(value));
}

/** Milliseconds with 0.1 ms precision, as they travel in an envelope and in Server-Timing. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * The CallResult of a successful call as JSON text, built around the result's JSON without parsing it.
 * `handlerMs` is the handler's own time in its lane (what bench:ui sets against the whole call).
 */
export function okEnvelope(json: Uint8Array, handlerMs: number): string {
  return `${okPrefix(handlerMs)}${decoder.decode(json)}}`;
}

/** The same envelope as bytes, for HTTP: the result's bytes are copied once, never decoded. */
export function okEnvelopeBytes(json: Uint8Array, handlerMs: number): Buffer {
  return Buffer.concat([Buffer.from(okPrefix(handlerMs)), json, Buffer.from('}')]);
}

function okPrefix(handlerMs: number): string {
  return `{"ok":true,"handlerMs":${roundMs(handlerMs)},"value":`;
}

export function errorEnvelope(error: ApiErrorShape): string {
  return JSON.stringify({ ok: false, error });
}
