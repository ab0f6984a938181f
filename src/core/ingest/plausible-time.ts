// The window of times a delivery may carry. WhatsApp launched in 2009, so nothing a webhook, an
// import or an external event reports can be older; a clock running a little ahead is tolerated, a
// time further ahead is an error (it would sort after every real message of its contact and be
// re-derived with each of them). Out-of-window times are refused at the boundary, never stored:
// docs/ingestion.md, "Times".

/** 2009-01-01T00:00:00Z in Unix seconds. */
export const EARLIEST_TS = 1_230_768_000;
/** How far ahead of this machine's clock a time may be (a sender's clock may run a little fast). */
export const MAX_AHEAD_S = 86_400;
/** A conversation's expiration is in the future by design (24 h, 72 h for free entry points). */
export const MAX_EXPIRATION_AHEAD_S = 30 * 86_400;

/** Null when `ts` (Unix seconds) is in the window, else why not, in words. */
export function implausibleTime(ts: number, aheadS = MAX_AHEAD_S, nowMs = Date.now()): string | null {
  if (!Number.isFinite(ts)) return 'expected Unix seconds';
  if (ts < EARLIEST_TS) return 'a time before 2009-01-01 (expected Unix seconds)';
  if (ts > Math.floor(nowMs / 1000) + aheadS)
    return `a time more than ${aheadS === MAX_AHEAD_S ? 'a day' : `${Math.round(aheadS / 86_400)} days`} in the future`;
  return null;
}

/** Unix seconds as stored (seconds, or milliseconds scaled down when beyond year 5138 in seconds). */
export function toUnixSeconds(n: number): number {
  return Math.floor(n > 1e11 ? n / 1000 : n);
}
