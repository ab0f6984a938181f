import type { AvailableEvent, EventKind } from '../../../shared/contract';

export interface EventGroup {
  kind: EventKind;
  label: string;
  events: AvailableEvent[];
  /** How many events of this kind exist beyond those shown. */
  more: number;
}

/** Group order follows the suggested order of the metrics definitions: external → flow → button → list → text. */
export const EVENT_GROUPS: { kind: EventKind; label: string }[] = [
  { kind: 'external', label: 'Off-thread (external)' },
  { kind: 'flow', label: 'In-thread: form (WhatsApp Flow) completed' },
  { kind: 'button', label: 'In-thread: button reply' },
  { kind: 'list', label: 'In-thread: list reply' },
  { kind: 'text', label: 'In-thread: text reply' },
];

export const KIND_SHORT: Record<EventKind, string> = {
  external: 'External',
  flow: 'Flow',
  button: 'Button',
  list: 'List',
  text: 'Text',
};

const byLeads = (a: AvailableEvent, b: AvailableEvent) =>
  b.leads - a.leads || b.occurrences - a.occurrences || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Top events by leads per group; empty groups are dropped. `kinds`: each kind's count in all, when the list is cut. */
export function groupEvents(
  events: readonly AvailableEvent[],
  perGroup = 5,
  kinds?: Partial<Record<EventKind, number>>,
): EventGroup[] {
  return EVENT_GROUPS.map(({ kind, label }) => {
    const all = events.filter((e) => e.kind === kind).sort(byLeads);
    const count = Math.max(all.length, kinds?.[kind] ?? 0);
    return { kind, label, events: all.slice(0, perGroup), more: Math.max(0, count - perGroup) };
  }).filter((g) => g.events.length > 0);
}

/** Local filter used while the server search is on its way (and in tests): case-insensitive on label and id. */
export function matchEvents(events: readonly AvailableEvent[], query: string): AvailableEvent[] {
  const q = query.trim().toLocaleLowerCase();
  if (!q) return [...events];
  return events.filter(
    (e) => e.label.toLocaleLowerCase().includes(q) || e.id.toLocaleLowerCase().includes(q),
  );
}

/** The event to show: the remembered one when it is still available, else the suggested one. */
export function pickEvent(
  remembered: string | undefined,
  available: readonly AvailableEvent[],
  suggested: string | null,
): string | null {
  if (remembered && available.some((e) => e.id === remembered)) return remembered;
  return suggested ?? available[0]?.id ?? null;
}
