import { memo, useState } from 'react';
import type { AvailableEvent, Report } from '../../../shared/contract';
import { KIND_SHORT } from '../lib/events';
import { formatDuration, formatInt, formatPercent } from '../lib/format';
import { addStep, effectiveSteps, MAX_FUNNEL_STEPS, moveStep, removeStep } from '../lib/funnel';
import { ArrowDown, ArrowUp, TrashIcon } from './Icons';

interface Props {
  report: Report | null;
  /** The user's steps (undefined = the selected event alone). */
  steps: string[] | undefined;
  events: AvailableEvent[];
  onChange: (steps: string[] | undefined) => void;
}

export const Funnel = memo(function Funnel({ report, steps, events, onChange }: Props) {
  const [editing, setEditing] = useState(false);
  const current = effectiveSteps(steps, report?.event?.id ?? null);
  const labelOf = (id: string) =>
    events.find((e) => e.id === id)?.label ?? report?.funnel.find((f) => f.eventId === id)?.label ?? id;
  const funnel = report?.funnel ?? [];

  return (
    <section className="panel funnel" aria-labelledby="funnel-title">
      <header className="panel-head">
        <h2 id="funnel-title">Funnel</h2>
        <button
          type="button"
          className="button ghost small no-print"
          aria-expanded={editing}
          onClick={() => setEditing((e) => !e)}
          data-testid="funnel-edit"
        >
          {editing ? 'Done' : 'Edit steps'}
        </button>
      </header>

      {editing ? (
        <FunnelEditor
          steps={current}
          labelOf={labelOf}
          events={events}
          onChange={onChange}
          custom={steps !== undefined}
        />
      ) : funnel.length === 0 ? (
        <p className="empty-hint">{report ? 'Pick a conversion event to see the funnel.' : '\u00a0'}</p>
      ) : (
        <ol className="funnel-steps">
          {funnel.map((f, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a step may repeat an event, its position is its identity
            <li key={`${f.eventId ?? 'start'}-${i}`} className="funnel-step">
              <div className="funnel-row">
                <span className="funnel-label" title={f.eventId ?? undefined}>
                  <span className="step-no">{i}</span>
                  {f.label}
                </span>
                <span className="num funnel-count">{formatInt(f.conversations)}</span>
              </div>
              <div className="bar" aria-hidden="true">
                <div
                  className="bar-fill"
                  style={{ width: `${Math.max(0, Math.min(1, f.rateFromStart)) * 100}%` }}
                />
              </div>
              {i > 0 && (
                <div className="funnel-meta muted small">
                  <span>{formatPercent(f.rateFromStart)} of start</span>
                  <span>{formatPercent(f.rateFromPrevious)} from previous step</span>
                  <span>median {formatDuration(f.medianSecondsFromStart)}</span>
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
});

export function FunnelEditor({
  steps,
  labelOf,
  events,
  onChange,
  custom,
}: {
  steps: string[];
  labelOf: (id: string) => string;
  events: AvailableEvent[];
  onChange: (steps: string[] | undefined) => void;
  custom: boolean;
}) {
  const [adding, setAdding] = useState('');
  const full = steps.length >= MAX_FUNNEL_STEPS;
  return (
    <div className="funnel-editor">
      <ol className="funnel-edit-list">
        <li className="muted">
          <span className="step-no">0</span> Conversations started
        </li>
        {steps.map((id, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a step may repeat an event, its position is its identity
          <li key={`${id}-${i}`} className="funnel-edit-row">
            <span className="step-no">{i + 1}</span>
            <span className="funnel-edit-label">{labelOf(id)}</span>
            <button
              type="button"
              className="icon-button small"
              aria-label={`Move step ${i + 1} up`}
              disabled={i === 0}
              onClick={() => onChange(moveStep(steps, i, -1))}
            >
              <ArrowUp />
            </button>
            <button
              type="button"
              className="icon-button small"
              aria-label={`Move step ${i + 1} down`}
              disabled={i === steps.length - 1}
              onClick={() => onChange(moveStep(steps, i, 1))}
            >
              <ArrowDown />
            </button>
            <button
              type="button"
              className="icon-button small"
              aria-label={`Remove step ${i + 1}`}
              disabled={steps.length === 1}
              onClick={() => onChange(removeStep(steps, i))}
            >
              <TrashIcon />
            </button>
          </li>
        ))}
      </ol>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (adding) {
            onChange(addStep(steps, adding));
            setAdding('');
          }
        }}
      >
        <select
          className="select grow"
          value={adding}
          onChange={(e) => setAdding(e.target.value)}
          disabled={full}
          aria-label="Event to add as a step"
        >
          <option value="">{full ? `At most ${MAX_FUNNEL_STEPS} steps` : 'Add a step…'}</option>
          {events.map((e) => (
            <option key={e.id} value={e.id}>
              {KIND_SHORT[e.kind]}: {e.label}
            </option>
          ))}
        </select>
        <button type="submit" className="button" disabled={full || !adding}>
          Add
        </button>
        {custom && (
          <button type="button" className="button ghost" onClick={() => onChange(undefined)}>
            Reset
          </button>
        )}
      </form>
    </div>
  );
}
