// Attribution models (docs/metrics.md "Attribution models"): the source each conversation counts under in
// the first_touch and last_paid_touch models, from the earlier conversations of its own (number, contact)
// thread. Stored on the conversation (ft_source, lpt_source) when it is derived, so a report in any model
// reads summaries as the conversation model does. A conversation appended to a thread changes no earlier
// one's model sources; anything else re-derives the thread (conversations.ts), and a change of the
// lookback rebuilds the set (it is part of the derivation config).

/** A conversation as the models read it. */
export interface Touch {
  start: number;
  source: number;
  /** Its source is an ad or post referral, a keyword or an outgoing message (a template): not a plain first message. */
  paid: boolean;
}

/** Kinds of sources that count as a paid touch: every kind but a plain first message. */
export const isPaidKind = (kind: string): boolean => kind !== 'first_message' && kind !== '';

/**
 * The model sources of `own` given the thread's earlier conversations in order (oldest first; any that
 * started more than `lookback` seconds before `own` are ignored; a start exactly `lookback` earlier counts).
 * first_touch: the source of the first of them within the lookback, else its own.
 * last_paid_touch: its own source when that is paid, else the latest paid one within the lookback, else its own.
 */
export function modelSourcesOf(
  earlier: readonly Touch[],
  own: Touch,
  lookback: number,
): { ft: number; lpt: number } {
  const since = own.start - lookback;
  let ft = own.source;
  for (const t of earlier)
    if (t.start >= since) {
      ft = t.source;
      break;
    }
  let lpt = own.source;
  if (!own.paid)
    for (let i = earlier.length - 1; i >= 0 && earlier[i]!.start >= since; i--)
      if (earlier[i]!.paid) {
        lpt = earlier[i]!.source;
        break;
      }
  return { ft, lpt };
}

/** A thread's conversations as they are derived in order (a re-derivation), kept in memory. */
export class ThreadTouches {
  private readonly touches: Touch[] = [];
  private readonly lastDay = { ft: new Map<number, number>(), lpt: new Map<number, number>() };

  /** The model sources of the next conversation of the thread, with their previous days; then records it. */
  next(own: Touch, day: number, lookback: number): ModelColumns {
    // Conversations start in order: those out of this one's lookback are out of every later one's too.
    while (this.touches.length > 0 && this.touches[0]!.start < own.start - lookback) this.touches.shift();
    const { ft, lpt } = modelSourcesOf(this.touches, own, lookback);
    const cols = {
      ft_source: ft,
      ft_prev_day: this.lastDay.ft.get(ft) ?? -1,
      lpt_source: lpt,
      lpt_prev_day: this.lastDay.lpt.get(lpt) ?? -1,
    };
    this.touches.push(own);
    this.lastDay.ft.set(ft, day);
    this.lastDay.lpt.set(lpt, day);
    return cols;
  }
}

export interface ModelColumns {
  ft_source: number;
  ft_prev_day: number;
  lpt_source: number;
  lpt_prev_day: number;
}
