import { useState } from 'react';
import type { QuarantineItem } from '../../../../shared/contract';
import { formatDateTime, formatInt } from '../../lib/format';
import { useClient, useDashboard } from '../../state/context';
import { ErrorLine, PanelState } from './common';
import { useAction, useLoad } from './useLoad';

/** Deliveries that could not be read, each with its reason; retry after a fix, or delete. */
export function QuarantinePanel({ onOpenUnattributed }: { onOpenUnattributed?: () => void }) {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const unattributed = useDashboard((s) => s.report?.unattributedExternalEvents ?? 0);
  const q = useLoad(() => client.api['quarantine.list']({ limit: 200 }), [workspace]);
  const [run, action] = useAction();
  const [shown, setShown] = useState<(QuarantineItem & { body: string }) | null>(null);
  const act = (fn: () => Promise<unknown>) =>
    void run(async () => {
      await fn();
      q.reload();
    });
  return (
    <section className="panel" aria-labelledby="quarantine-title">
      <div className="row between">
        <h2 id="quarantine-title">Quarantine</h2>
        {q.data && q.data.total > 0 && (
          <span className="row">
            <button
              type="button"
              className="button small"
              onClick={() => act(() => client.api['quarantine.retry']({ all: true }))}
            >
              Retry all
            </button>
            <button
              type="button"
              className="button ghost small"
              onClick={() => {
                if (window.confirm(`Delete all ${q.data?.total} quarantined deliveries?`))
                  act(() => client.api['quarantine.delete']({ all: true }));
              }}
            >
              Delete all
            </button>
          </span>
        )}
      </div>
      <p className="muted small">
        Webhooks and events that could not be stored. Nothing is lost: fix the cause (a channel, a key), then
        retry.
      </p>
      <PanelState
        loading={q.loading && !q.data}
        error={q.error}
        empty={q.data?.total === 0 && 'Nothing in quarantine.'}
      >
        <table className="data-table compact-table">
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">From</th>
              <th scope="col" className="col-name">
                Reason
              </th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {q.data?.items.map((it) => (
              <tr key={it.id}>
                <td className="small">{formatDateTime(it.receivedAt)}</td>
                <td className="small">{it.channel ? `${it.origin} · ${it.channel}` : it.origin}</td>
                <td className="col-name small wrap-cell">{it.reason}</td>
                <td className="num small">{formatInt(it.size)} B</td>
                <td className="num nowrap">
                  <button
                    type="button"
                    className="button ghost small"
                    aria-expanded={shown?.id === it.id}
                    onClick={() =>
                      shown?.id === it.id
                        ? setShown(null)
                        : void run(async () => setShown(await client.api['quarantine.show']({ id: it.id })))
                    }
                  >
                    {shown?.id === it.id ? 'Hide' : 'View'}
                  </button>{' '}
                  <button
                    type="button"
                    className="button small"
                    onClick={() => act(() => client.api['quarantine.retry']({ id: it.id }))}
                  >
                    Retry
                  </button>{' '}
                  <button
                    type="button"
                    className="button ghost small"
                    onClick={() => act(() => client.api['quarantine.delete']({ id: it.id }))}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {shown && q.data?.items.some((it) => it.id === shown.id) && (
          <div className="stack" data-testid="quarantine-body">
            <h3 className="small">
              Delivery #{shown.id} · {formatDateTime(shown.receivedAt)}
              {shown.contentType ? ` · ${shown.contentType}` : ''}
            </h3>
            <pre className="code-block body-view">{prettyBody(shown.body)}</pre>
          </div>
        )}
        {q.data && q.data.total > q.data.items.length && (
          <p className="hint">
            Showing the newest {q.data.items.length} of {formatInt(q.data.total)}.
          </p>
        )}
      </PanelState>
      {unattributed > 0 && (
        <p className="notice">
          {unattributed === 1
            ? '1 external event in the dashboard’s range matches'
            : `${formatInt(unattributed)} external events in the dashboard’s range match`}{' '}
          no conversation (no conversation of that lead within the attribution window, or an unknown app_id).
          They are kept and count once a matching conversation arrives.{' '}
          {onOpenUnattributed && (
            <button type="button" className="link-button" onClick={onOpenUnattributed}>
              See each with its reason
            </button>
          )}
        </p>
      )}
      <ErrorLine error={action.error} />
    </section>
  );
}

/** JSON bodies are easier to read indented; anything else is shown as received. */
function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
