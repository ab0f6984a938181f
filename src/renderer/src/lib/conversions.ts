import type { ConversionSettings, OutboxCounts, OutboxEntry, OutboxState } from '../../../shared/contract';

/** The outbox states in the order the status panel lists them, with the words it uses. */
export const OUTBOX_STATES: { state: OutboxState; count: keyof OutboxCounts; label: string; hint: string }[] =
  [
    { state: 'pending', count: 'pending', label: 'Pending', hint: 'waiting to be sent' },
    { state: 'sent', count: 'sent', label: 'Sent', hint: 'Meta received them' },
    { state: 'failed', count: 'failed', label: 'Failed', hint: 'a send failed; retried automatically' },
    { state: 'rejected', count: 'rejected', label: 'Rejected', hint: 'Meta refused them; not retried' },
    {
      state: 'expired',
      count: 'expired',
      label: 'Expired',
      hint: 'older than 7 days before they could be sent',
    },
    {
      state: 'not_sendable',
      count: 'notSendable',
      label: 'Not sendable',
      hint: 'no ad click id (e.g. a Status placement) or no WhatsApp Business Account',
    },
    {
      state: 'withdrawn',
      count: 'withdrawn',
      label: 'Withdrawn',
      hint: 'attribution changed before they were sent',
    },
  ];

export const STATE_LABEL = Object.fromEntries(OUTBOX_STATES.map((s) => [s.state, s.label])) as Record<
  OutboxState,
  string
>;

/** Who sends, in one sentence; `warn` when conversions can expire because this desktop is closed. */
export function senderText(sender: ConversionSettings['sender']): { text: string; warn: boolean } {
  if (sender.kind === 'collector')
    return {
      text: `The collector at ${sender.collectorUrl ?? '(its URL)'} sends them, around the clock.`,
      warn: false,
    };
  if (sender.serving) return { text: 'This server (insights serve) sends them, every minute.', warn: false };
  return { text: 'This desktop sends them while the app is open.', warn: true };
}

/** The core's reason for an entry Meta refused with error subcode 2804066 (event name not accepted). */
const NAME_NOT_ACCEPTED = 'name_not_accepted';

/** `event\nMeta name` of the mappings whose Meta name Meta refused (rejected entries of that pair). */
export function refusedPairs(rejected: readonly OutboxEntry[]): Set<string> {
  return new Set(
    rejected
      .filter((e) => e.errorCode === NAME_NOT_ACCEPTED)
      .map((e) => pairKey(e.conversionEvent, e.metaEvent)),
  );
}

export const pairKey = (eventId: string, metaEvent: string): string => `${eventId}\n${metaEvent}`;
