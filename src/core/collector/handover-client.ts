import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import { getSetting, setSetting } from '../db/settings';
import { entryProblem, HANDOVER_MAX, SentConversion } from './handover';
import { tokenRefused, unreachable } from './state';

// The desktop's side of the handover (handover.ts): before each pull, the conversions this desktop sent
// to Meta itself (before it was connected to the collector) are reported to the collector, which then
// never sends them. What was reported is remembered per collector URL as the last outbox seq covered;
// a row whose seq changes again (an erase) is simply reported again, which the collector ignores.

const MARK_KEY = 'collector.handedOver';

interface Mark {
  url: string;
  seq: number;
}

function readMark(db: Db, url: string): number {
  const mark = getSetting<Partial<Mark> | null>(db, MARK_KEY, null);
  return mark?.url === url && Number.isSafeInteger(mark.seq) ? (mark.seq as number) : 0;
}

interface SentRow {
  seq: number;
  event_id: string;
  conversation: string;
  phone_number_id: string;
  source_key: string;
  event_key: string;
  meta_event: string;
  occurrence: string;
  event_time: number;
  sent_at: number | null;
  updated_at: number;
}

/** A stored row as the collector takes it; null when it would not pass the collector's checks. */
function toEntry(r: SentRow): SentConversion | null {
  const parsed = SentConversion.safeParse({
    eventId: r.event_id,
    conversation: r.conversation,
    phoneNumberId: r.phone_number_id,
    sourceKey: r.source_key,
    eventKey: r.event_key,
    metaEvent: r.meta_event,
    occurrence: r.occurrence,
    eventTime: r.event_time,
    sentAt: r.sent_at ?? r.updated_at,
  });
  return parsed.success && entryProblem(parsed.data) === null ? parsed.data : null;
}

/**
 * Reports this desktop's own sent conversions the collector has not been told about; returns how many.
 * Until the collector has taken them the sync fails: a collector that never heard of them could send
 * them a second time.
 */
export async function handOverSent(
  db: Db,
  base: string,
  token: string,
  signal: AbortSignal,
): Promise<number> {
  const select = db.prepare(
    `SELECT seq, event_id, conversation, phone_number_id, source_key, event_key, meta_event, occurrence,
       event_time, sent_at, updated_at
     FROM capi_outbox WHERE origin = 'local' AND state = 'sent' AND seq > ? ORDER BY seq LIMIT ?`,
  );
  let handed = 0;
  for (;;) {
    const rows = select.all(readMark(db, base), HANDOVER_MAX) as SentRow[];
    if (rows.length === 0) return handed;
    // A row the collector would refuse (not one this app's sender writes) is left out rather than holding
    // up every sync.
    const events = rows.flatMap((r) => toEntry(r) ?? []);
    if (events.length > 0) {
      await post(base, token, events, signal);
      handed += events.length;
    }
    setSetting(db, MARK_KEY, { url: base, seq: rows.at(-1)!.seq } satisfies Mark);
  }
}

async function post(
  base: string,
  token: string,
  events: SentConversion[],
  signal: AbortSignal,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`${base}/v1/conversions/sent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw unreachable(base, err);
  }
  if (res.status === 404) {
    await res.body?.cancel();
    throw new ApiError(
      'unavailable',
      `The collector at ${base} does not take the conversions this desktop sent to Meta (HTTP 404): update it, and let /v1/conversions/sent through its reverse proxy (docs/collector.md)`,
    );
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw tokenRefused(res.status);
  }
  if (res.status !== 200) {
    const text = await res.text();
    let reason = text.slice(0, 300);
    try {
      reason = String((JSON.parse(text) as { error: { message: unknown } }).error.message);
    } catch {
      // not our error shape: the start of the text says enough
    }
    throw new ApiError(
      'unavailable',
      `The collector did not take the conversions this desktop sent to Meta (HTTP ${res.status}): ${reason}`,
    );
  }
  await res.body?.cancel();
}
