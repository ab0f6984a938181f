import { useEffect, useId, useMemo, useState } from 'react';
import type { AvailableEvent, EventKind } from '../../../shared/contract';
import { errorText } from '../lib/errors';
import { groupEvents, KIND_SHORT, matchEvents } from '../lib/events';
import { formatInt } from '../lib/format';
import { toRangeInput } from '../lib/range';
import { useClient, useDashboard } from '../state/context';
import { zoneArg } from '../state/store';
import { ChevronDown, SearchIcon } from './Icons';
import { ModelSelect } from './ModelSelect';
import { Popover } from './Popover';

/** The conversion event: the selected one, or what the report chose (the suggested one). */
export function EventPicker() {
  const report = useDashboard((s) => s.report);
  const eventId = useDashboard((s) => s.eventId);
  const events = useDashboard((s) => s.events);
  const setEvent = useDashboard((s) => s.setEvent);
  const eventsLoading = useDashboard((s) => s.eventsLoading);
  const current =
    events?.list.find((e) => e.id === (eventId ?? report?.event?.id)) ??
    (report?.event && (!eventId || report.event.id === eventId) ? report.event : null);
  const label = current
    ? current.label
    : eventId
      ? eventId
      : events && events.list.length === 0
        ? 'No events in this range'
        : events === null && !eventsLoading
          ? 'Choose an event'
          : 'Loading events…';

  return (
    <div className="event-bar">
      <span className="muted" id="event-picker-label">
        Conversion event
      </span>
      <Popover
        label="Choose the conversion event"
        trigger={(t) => (
          <button
            type="button"
            className="event-trigger"
            aria-describedby="event-picker-label"
            data-testid="event-trigger"
            {...t}
          >
            {current && <span className={`kind-badge kind-${current.kind}`}>{KIND_SHORT[current.kind]}</span>}
            <span className="event-trigger-label">{label}</span>
            <ChevronDown />
          </button>
        )}
      >
        {(close) => (
          <EventList
            events={events?.list ?? null}
            kinds={events?.kinds}
            selected={current?.id ?? null}
            onPick={(id) => {
              setEvent(id);
              close();
            }}
          />
        )}
      </Popover>
      {events && eventId === null && report?.event && events.suggested === report.event.id && (
        <span className="hint">suggested</span>
      )}
      <ModelSelect />
    </div>
  );
}

export function EventList({
  events,
  selected,
  onPick,
  perGroup = 5,
  kinds,
}: {
  events: AvailableEvent[] | null;
  /** Each kind's count in all, when `events` holds the first few of each only. */
  kinds?: Partial<Record<EventKind, number>> | undefined;
  selected: string | null;
  onPick: (id: string) => void;
  perGroup?: number;
}) {
  const client = useClient();
  const phoneId = useDashboard((s) => s.phoneId);
  const range = useDashboard((s) => s.range);
  const timezone = useDashboard((s) => s.timezone);
  const [query, setQuery] = useState('');
  const [remote, setRemote] = useState<{ q: string; events: AvailableEvent[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(-1);
  const idBase = useId();

  // The first events of each kind are local; the rest (thousands of distinct texts) need the core's search.
  useEffect(() => {
    const q = query.trim();
    if (!q || !phoneId) return;
    const t = setTimeout(() => {
      client.api['events.list']({
        phone: phoneId,
        range: toRangeInput(range),
        search: q,
        limit: 200,
        ...zoneArg(timezone),
      }).then(
        (r) => {
          setRemote({ q, events: r.events });
          setError(null);
        },
        (err) => setError(errorText(err)),
      );
    }, 200);
    return () => clearTimeout(t);
  }, [query, phoneId, range, timezone, client]);

  const groups = useMemo(() => {
    const q = query.trim();
    if (!q) return groupEvents(events ?? [], perGroup, kinds);
    const list = remote?.q === q ? remote.events : matchEvents(events ?? [], q);
    return groupEvents(list, 25);
  }, [events, query, remote, perGroup, kinds]);
  // The options in screen order, for the arrow keys.
  const options = useMemo(() => groups.flatMap((g) => g.events), [groups]);
  const activeId = options[active] ? `${idBase}-${active}` : undefined;
  let index = 0;

  // Focus stays in the search field while the arrows move a highlight and Enter picks it (WAI-ARIA APG,
  // Combobox pattern, "Listbox Popup Keyboard Interaction", https://www.w3.org/WAI/ARIA/apg/patterns/combobox/).
  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (options.length === 0) return;
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) =>
        a < 0 ? (step > 0 ? 0 : options.length - 1) : (a + step + options.length) % options.length,
      );
    } else if (e.key === 'Enter') {
      const pick = options[active] ?? (options.length === 1 ? options[0] : undefined);
      if (pick) {
        e.preventDefault();
        onPick(pick.id);
      }
    }
  };
  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView?.({ block: 'nearest' });
  }, [activeId]);

  return (
    <div className="event-list">
      <label className="search-field">
        <SearchIcon />
        <span className="sr-only">Search events</span>
        <input
          type="search"
          role="combobox"
          aria-expanded="true"
          aria-controls={`${idBase}-list`}
          aria-activedescendant={activeId}
          aria-autocomplete="list"
          placeholder="Search all events…"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(-1);
          }}
          onKeyDown={onKeyDown}
          data-testid="event-search"
        />
      </label>
      {events === null && <p className="hint">Loading events…</p>}
      {error && <p className="hint error-text">{error}</p>}
      {events !== null && groups.length === 0 && (
        <p className="hint">
          {query ? `No event matches “${query}”.` : 'No conversion events in this range yet.'}
        </p>
      )}
      <div className="event-groups" id={`${idBase}-list`}>
        {groups.map((g) => (
          <section key={g.kind} aria-label={g.label} className="event-group">
            <h3 className="event-group-title">
              {g.label}
              <span className="muted">Leads</span>
            </h3>
            <ul>
              {g.events.map((e) => {
                const i = index++;
                return (
                  <li key={e.id}>
                    <button
                      type="button"
                      id={`${idBase}-${i}`}
                      className={`event-option ${e.id === selected ? 'selected' : ''} ${i === active ? 'active' : ''}`}
                      aria-pressed={e.id === selected}
                      onClick={() => onPick(e.id)}
                      title={e.id}
                    >
                      <span className="event-option-label">{e.label}</span>
                      <span className="num">{formatInt(e.leads)}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
            {g.more > 0 && !query && <p className="hint">{formatInt(g.more)} more — search to find them</p>}
          </section>
        ))}
      </div>
    </div>
  );
}
