import { useState } from 'react';
import type { OutboxState } from '../../../../shared/contract';
import { OUTBOX_STATES, STATE_LABEL } from '../../lib/conversions';
import { formatAgo, formatDateTime, formatInt, formatRange } from '../../lib/format';
import { useClient, useDashboard } from '../../state/context';
import type { DashboardState } from '../../state/store';
import { PanelState } from './common';
import { useLoad } from './useLoad';

const RECENT = 20;

/** An event id as the report labels it: its text after the kind prefix (`button:Book now` → Book now). */
const eventLabel = (id: string) => id.slice(id.indexOf(':') + 1);

/** The end of the last conversions send job: the status reloads when a send (from anywhere) finishes. */
export const lastSendEnd = (s: DashboardState): string =>
  s.jobs.find((j) => j.kind === 'conversions-send' && j.endedAt)?.endedAt ?? '';

/** The outbox: counts per state for the dashboard's range, the last errors and the latest entries. */
export function ConversionsStatus({
  refreshKey,
  onOpenMeta,
}: {
  refreshKey: number;
  onOpenMeta: () => void;
}) {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const range = useDashboard((s) => s.report?.range ?? null);
  const sendEnded = useDashboard(lastSendEnd);
  const from = range?.from;
  const to = range?.to;
  const deps = [workspace, from, to, refreshKey, sendEnded];
  const status = useLoad(
    () => client.api['conversions.status'](from && to ? { range: { from, to } } : {}),
    deps,
  );
  const [shown, setShown] = useState<OutboxState | ''>('');
  const recent = useLoad(
    () => client.api['conversions.list']({ limit: RECENT, ...(shown ? { state: shown } : {}) }),
    [...deps, shown],
  );
  const s = status.data;

  return (
    <section className="panel" aria-labelledby="conversions-status-title" data-testid="conversions-status">
      <h2 id="conversions-status-title">Sent to Meta</h2>
      <p className="muted small">
        Conversions whose event happened {from && to ? formatRange(from, to) : 'at any time'} (the dashboard's
        range){s?.lastSendAt ? ` · last send ${formatAgo(s.lastSendAt)}` : ''}.
      </p>
      <PanelState loading={status.loading && !s} error={status.error}>
        {s && (
          <div className="stack">
            {s.needsLogin && (
              <p className="notice danger row between" role="status" data-testid="conversions-needs-login">
                <span>Meta refused the login: sending stopped until Meta is connected again.</span>
                <button type="button" className="button small" onClick={onOpenMeta}>
                  Open Meta ads
                </button>
              </p>
            )}
            {!s.enabled && <p className="hint">Sending is off.</p>}
            <dl className="count-grid" data-testid="conversions-counts">
              {OUTBOX_STATES.map(({ state, count, label, hint }) => (
                <div key={state} className={s[count] > 0 ? `count-${state}` : 'count-zero'} title={hint}>
                  <dt>{label}</dt>
                  <dd>{formatInt(s[count])}</dd>
                </div>
              ))}
            </dl>
            {s.lastErrors.length > 0 && (
              <div className="stack">
                <h3 className="small">Last errors</h3>
                <ul className="plain-list" data-testid="conversions-errors">
                  {s.lastErrors.map((e) => (
                    <li key={`${e.at}-${e.message}`} className="row between">
                      <span className="error-text small">{e.message}</span>
                      <span className="muted small">
                        {e.count > 1 ? `${formatInt(e.count)} × · ` : ''}
                        {formatDateTime(e.at)}
                      </span>
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </div>
        )}
      </PanelState>
      <div className="row between">
        <h3 className="small">Latest conversions</h3>
        <label className="row small">
          <span>Show</span>
          <select
            className="select"
            value={shown}
            onChange={(e) => setShown(e.target.value as OutboxState | '')}
          >
            <option value="">All states</option>
            {OUTBOX_STATES.map((o) => (
              <option key={o.state} value={o.state}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <PanelState
        loading={recent.loading && !recent.data}
        error={recent.error}
        empty={
          recent.data?.entries.length === 0 &&
          (shown ? `No conversion in the state “${STATE_LABEL[shown]}”.` : 'No conversion queued yet.')
        }
      >
        <table className="data-table compact-table" data-testid="conversions-entries">
          <thead>
            <tr>
              <th scope="col">Event time</th>
              <th scope="col">Conversion</th>
              <th scope="col">Meta event</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {recent.data?.entries.map((e) => (
              <tr key={`${e.eventId}-${e.metaEvent}`} data-testid="conversions-entry">
                <td className="small">{formatDateTime(e.eventTime)}</td>
                <td className="small" title={`${e.conversionEvent} · ${e.sourceKey} · ${e.conversation}`}>
                  {eventLabel(e.conversionEvent)}
                </td>
                <td className="small">{e.metaEvent}</td>
                <td className="small">
                  <span className={`state-${e.state}`}>{STATE_LABEL[e.state]}</span>
                  {e.error && <span className="muted"> — {e.error}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {recent.data && recent.data.total > recent.data.entries.length && (
          <p className="hint">
            The latest {formatInt(recent.data.entries.length)} of {formatInt(recent.data.total)}; all of them:{' '}
            <code>insights conversions list</code>.
          </p>
        )}
      </PanelState>
    </section>
  );
}
