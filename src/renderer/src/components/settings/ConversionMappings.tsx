import { useEffect, useRef, useState } from 'react';
import type { ConversionMapping, ConversionSettings, MetaEventName } from '../../../../shared/contract';
import { ACCEPTED_META_EVENT_NAMES, META_EVENT_NAMES } from '../../../../shared/contract/limits';
import { pairKey } from '../../lib/conversions';
import { useClient, useDashboard } from '../../state/context';
import { EventList } from '../EventPicker';
import { ChevronDown } from '../Icons';
import { Popover } from '../Popover';

const OTHER_NAMES = META_EVENT_NAMES.filter((n) => !ACCEPTED_META_EVENT_NAMES.includes(n));

/** The Meta name an event gets when it is added: the suggestion's, else Purchase for external events. */
function defaultMapping(eventId: string, suggested: ConversionMapping[]): Omit<ConversionMapping, 'label'> {
  const s = suggested.find((m) => m.eventId === eventId);
  if (s) return s;
  return eventId.startsWith('ext:')
    ? { eventId, metaEvent: 'Purchase', value: true }
    : { eventId, metaEvent: 'LeadSubmitted', value: false };
}

/** App event → Meta event name, with or without its revenue as value; add from the dashboard's events. */
export function ConversionMappings({
  settings,
  refused,
  update,
  busy,
}: {
  settings: ConversionSettings;
  /** Event and Meta name pairs Meta refused (error subcode 2804066): another name is needed. */
  refused: Set<string>;
  update: (fn: () => Promise<ConversionSettings>) => Promise<boolean>;
  busy: boolean;
}) {
  const client = useClient();
  // The list the dashboard's event picker shows: the selected number's events in the selected range.
  const events = useDashboard((s) => s.events);
  const { mappings, suggested } = settings;
  const store = (m: Omit<ConversionMapping, 'label'>) =>
    client.api['conversions.map']({ eventId: m.eventId, metaEvent: m.metaEvent, value: m.value });
  const map = (m: Omit<ConversionMapping, 'label'>) => update(() => store(m));
  const mapped = new Set(mappings.map((m) => m.eventId));

  // A row that appears or goes takes the keyboard focus with it: it moves to what comes next instead of
  // falling back to the page (WCAG 2.4.3 Focus Order, https://www.w3.org/WAI/WCAG22/Understanding/focus-order).
  const boxRef = useRef<HTMLDivElement>(null);
  const [focusNext, setFocusNext] = useState<{ pick: (box: HTMLElement) => HTMLElement | null } | null>(null);
  useEffect(() => {
    if (!focusNext || !boxRef.current) return;
    focusNext.pick(boxRef.current)?.focus();
    setFocusNext(null);
  }, [focusNext]);
  const rowSelect = (eventId: string) => ({
    pick: (box: HTMLElement) =>
      [...box.querySelectorAll<HTMLSelectElement>('select[data-event-id]')].find(
        (el) => el.dataset.eventId === eventId,
      ) ?? null,
  });
  const addButton = { pick: (box: HTMLElement) => box.querySelector<HTMLElement>('[data-add-event]') };

  return (
    <div className="stack" ref={boxRef}>
      <h3 className="small">What is sent</h3>
      {mappings.length === 0 ? (
        <p className="hint">No event is sent yet. Add the events that mean a lead or a purchase.</p>
      ) : (
        <table className="data-table compact-table" data-testid="conversions-mappings">
          <thead>
            <tr>
              <th scope="col">Conversion event</th>
              <th scope="col">Meta event</th>
              <th scope="col">Send value</th>
              <th scope="col">
                <span className="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {mappings.map((m) => {
              const isRefused = refused.has(pairKey(m.eventId, m.metaEvent));
              // https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/custom-data
              // (value and currency are required for Purchase)
              const needsValue = m.metaEvent === 'Purchase' && !m.value;
              const note = isRefused
                ? `Meta refused ${m.metaEvent} for this event: choose another name`
                : needsValue
                  ? 'Meta requires a value with Purchase: tick “Send value”, or Meta refuses them'
                  : null;
              const noteId = `mapping-note-${m.eventId}`;
              return (
                <tr key={m.eventId} data-testid="conversions-mapping">
                  <td title={m.eventId}>{m.label}</td>
                  <td>
                    <select
                      className="select"
                      aria-label={`Meta event for ${m.label}`}
                      data-event-id={m.eventId}
                      aria-describedby={note ? noteId : undefined}
                      value={m.metaEvent}
                      disabled={busy}
                      onChange={(e) => void map({ ...m, metaEvent: e.target.value as MetaEventName })}
                    >
                      {ACCEPTED_META_EVENT_NAMES.map((n) => (
                        <option key={n} value={n}>
                          {n}
                        </option>
                      ))}
                      <optgroup label="Often refused by Meta">
                        {OTHER_NAMES.map((n) => (
                          <option key={n} value={n}>
                            {n}
                          </option>
                        ))}
                      </optgroup>
                    </select>
                    {note && (
                      <span className="error-text small mapping-note" id={noteId}>
                        {note}
                      </span>
                    )}
                  </td>
                  <td>
                    <label className="radio">
                      <input
                        type="checkbox"
                        checked={m.value}
                        disabled={busy}
                        onChange={(e) => void map({ ...m, value: e.target.checked })}
                      />
                      <span className="sr-only">Send the revenue of {m.label} as value</span>
                    </label>
                  </td>
                  <td className="num">
                    <button
                      type="button"
                      className="button ghost small"
                      aria-label={`Stop sending ${m.label}`}
                      disabled={busy}
                      onClick={() =>
                        void update(() => client.api['conversions.unmap']({ eventId: m.eventId })).then(
                          (ok) => ok && setFocusNext(addButton),
                        )
                      }
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {mappings.length === 0 && suggested.length > 0 && (
        <div className="notice row between" data-testid="conversions-suggested">
          <span>
            Suggested:{' '}
            {suggested.map((m) => `${m.label} → ${m.metaEvent}${m.value ? ' (with value)' : ''}`).join(', ')}
          </span>
          <button
            type="button"
            className="button small"
            disabled={busy}
            onClick={() =>
              void update(async () => {
                let next = settings;
                for (const m of suggested) next = await store(m);
                return next;
              }).then((ok) => ok && suggested[0] && setFocusNext(rowSelect(suggested[0].eventId)))
            }
          >
            Use the suggestion
          </button>
        </div>
      )}
      <Popover
        label="Add a conversion event"
        trigger={(t) => (
          <button type="button" className="button ghost small align-start" data-add-event {...t}>
            Add an event <ChevronDown />
          </button>
        )}
      >
        {(close) => (
          <EventList
            events={events?.list.filter((e) => !mapped.has(e.id)) ?? null}
            selected={null}
            onPick={(id) => {
              close();
              void map(defaultMapping(id, suggested)).then((ok) => ok && setFocusNext(rowSelect(id)));
            }}
          />
        )}
      </Popover>
    </div>
  );
}
