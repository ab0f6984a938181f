// Times as ISO 8601 for readers. A stored time may predate the checks at the boundary (an old
// database, a hand-edited one): one outside what a Date can hold reads as unknown (null), never as an
// error that would take a whole list or report down with it.

/** Milliseconds since 1970 → ISO 8601, or null when it is not a representable time. */
export function isoOfMs(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Unix seconds → ISO 8601, or null. */
export function isoOfUnix(s: number | null | undefined): string | null {
  return s === null || s === undefined ? null : isoOfMs(s * 1000);
}
