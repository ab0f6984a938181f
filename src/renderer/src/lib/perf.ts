// Performance marks read by bench/ui.bench.ts: a selection change starts a measurement that ends when
// every panel has rendered the new report; the first report rendered after launch ends the launch measurement.

import type { CallTiming } from '../api/client';

export const MARK_CHANGE = 'insights:change';
export const MARK_UPDATED = 'insights:updated';
export const MEASURE_UPDATE = 'insights:update';
export const MEASURE_FIRST = 'insights:first-render';
export const MARK_RECEIVED = 'insights:report-received';
export const MEASURE_RENDER = 'insights:render';
/** The call that brought the report: from request to answer, `detail.handlerMs` the handler's own time. */
export const MEASURE_CALL = 'insights:report-call';

let pendingChange = false;
let firstDone = false;

export function markChange(): void {
  pendingChange = true;
  performance.clearMarks(MARK_CHANGE);
  performance.mark(MARK_CHANGE);
}

/** The report arrived: splits a measurement into the call (handler + transport) and the rendering part. */
export function markReportReceived(call: CallTiming): void {
  performance.clearMarks(MARK_RECEIVED);
  performance.mark(MARK_RECEIVED);
  // Only the latest is kept: the page may stay open for days.
  performance.clearMeasures(MEASURE_CALL);
  performance.measure(MEASURE_CALL, {
    start: call.start,
    end: call.end,
    detail: { handlerMs: call.handlerMs },
  });
}

/** Called once the dashboard committed a new report (after the chart and table effects ran). */
export function markUpdated(): void {
  performance.mark(MARK_UPDATED);
  if (performance.getEntriesByName(MARK_RECEIVED).length > 0)
    performance.measure(MEASURE_RENDER, MARK_RECEIVED, MARK_UPDATED);
  if (!firstDone) {
    firstDone = true;
    performance.measure(MEASURE_FIRST, { start: 0, end: performance.now() });
  }
  if (pendingChange) {
    pendingChange = false;
    performance.measure(MEASURE_UPDATE, MARK_CHANGE, MARK_UPDATED);
  }
}
