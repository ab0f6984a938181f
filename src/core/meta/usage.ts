// Usage headers, per https://developers.facebook.com/docs/graph-api/overview/rate-limiting ("Headers"). Values are JSON strings
// whose numbers are percentages of the current allowance; estimated_time_to_regain_access is in minutes.

export interface Usage {
  /** The highest percentage any header reports (0 when none came back). */
  maxPct: number;
  /** Seconds Meta says to wait before the allowance is back (0 when it did not say). */
  regainSeconds: number;
  /** Which header reported maxPct. */
  source: string | null;
}

export const NO_USAGE: Usage = { maxPct: 0, regainSeconds: 0, source: null };

function parseJson(value: string | null): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number(v) || 0);

export function parseUsage(headers: Headers): Usage {
  let maxPct = 0;
  let regainSeconds = 0;
  let source: string | null = null;
  const see = (pct: number, from: string) => {
    if (pct > maxPct) {
      maxPct = pct;
      source = from;
    }
  };

  const buc = parseJson(headers.get('x-business-use-case-usage'));
  if (buc && typeof buc === 'object') {
    for (const entries of Object.values(buc as Record<string, unknown>)) {
      if (!Array.isArray(entries)) continue;
      for (const e of entries as Record<string, unknown>[]) {
        see(
          Math.max(num(e.call_count), num(e.total_cputime), num(e.total_time)),
          `business use case (${String(e.type ?? '?')})`,
        );
        regainSeconds = Math.max(regainSeconds, num(e.estimated_time_to_regain_access) * 60);
      }
    }
  }
  const account = parseJson(headers.get('x-ad-account-usage')) as Record<string, unknown> | undefined;
  if (account && typeof account === 'object') {
    see(num(account.acc_id_util_pct), 'ad account');
    if (num(account.acc_id_util_pct) >= 100)
      regainSeconds = Math.max(regainSeconds, num(account.reset_time_duration));
  }
  const app = parseJson(headers.get('x-app-usage')) as Record<string, unknown> | undefined;
  if (app && typeof app === 'object')
    see(Math.max(num(app.call_count), num(app.total_cputime), num(app.total_time)), 'app');
  const insights = parseJson(headers.get('x-fb-ads-insights-throttle')) as
    | Record<string, unknown>
    | undefined;
  if (insights && typeof insights === 'object') {
    see(Math.max(num(insights.app_id_util_pct), num(insights.acc_id_util_pct)), 'ads insights');
  }
  return { maxPct, regainSeconds, source };
}
