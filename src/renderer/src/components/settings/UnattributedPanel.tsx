import { useState } from 'react';
import type { UnattributedEvent } from '../../../../shared/contract';
import { formatDateTime, formatInt, formatMoney } from '../../lib/format';
import { useClient, useDashboard } from '../../state/context';
import { formatPhone } from '../TopBar';
import { ErrorLine, PanelState } from './common';
import { useAction, useLoad } from './useLoad';

const PAGE = 100;

/** External events that match no conversation, each with the reason; retry after a fix, or delete. */
export function UnattributedPanel() {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const phone = useDashboard((s) => s.phones?.find((p) => p.id === s.phoneId) ?? null);
  const refresh = useDashboard((s) => s.refresh);
  const [onlyPhone, setOnlyPhone] = useState(true);
  const [limit, setLimit] = useState(PAGE);
  const phoneArg = onlyPhone && phone ? { phone: phone.id } : {};
  const list = useLoad(
    () => client.api['events.unattributed.list']({ ...phoneArg, limit }),
    [workspace, phoneArg.phone, limit],
  );
  const [run, action] = useAction();
  // The outcome of the last retry, shown on its row.
  const [outcome, setOutcome] = useState<{ id: string; text: string; ok: boolean } | null>(null);
  const data = list.data;

  const retry = (e: UnattributedEvent) =>
    void run(async () => {
      const r = await client.api['events.unattributed.retry']({ id: e.id });
      setOutcome({
        id: e.id,
        ok: r.attributed,
        text: r.attributed
          ? 'Matched — it now counts as a lead.'
          : r.reason && r.reason !== e.reason
            ? `Still unmatched: ${r.reason}.`
            : 'Still unmatched: nothing changed.',
      });
      if (r.attributed) {
        list.reload();
        refresh();
      }
    });

  return (
    <section className="panel" aria-labelledby="unattributed-title">
      <div className="row between">
        <h2 id="unattributed-title">
          Unattributed events{' '}
          {data && data.total > 0 && (
            <span className="muted small" data-testid="unattributed-total">
              · {formatInt(data.total)}
            </span>
          )}
        </h2>
        {phone && (
          <label className="radio small">
            <input type="checkbox" checked={onlyPhone} onChange={(e) => setOnlyPhone(e.target.checked)} />
            Only {phone.name ?? formatPhone(phone.display, phone.id)}
          </label>
        )}
      </div>
      <p className="muted small">
        External events (purchases, sign-ups…) that match no WhatsApp conversation, so they count for no
        source. They are kept: when the conversation arrives later they count by themselves. Fix the sender
        (lead phone, app_id) or the attribution window, then retry.
      </p>
      <PanelState
        loading={list.loading && !data}
        error={list.error}
        empty={data?.total === 0 && 'Every external event matches a conversation.'}
      >
        <div className="table-scroll">
          <table className="data-table compact-table" data-testid="unattributed-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Lead</th>
                <th scope="col" className="num">
                  Revenue
                </th>
                <th scope="col" className="col-name">
                  Reason
                </th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data?.rows.map((e) => (
                <tr key={e.id} data-testid="unattributed-row">
                  <td className="small nowrap">{formatDateTime(e.time)}</td>
                  <td className="small">
                    {e.action}
                    {e.appId && <div className="muted">app_id {e.appId}</div>}
                  </td>
                  <td className="small nowrap">
                    {/^\d+$/.test(e.leadPhone) ? `+${e.leadPhone}` : e.leadPhone}
                  </td>
                  <td className="num small">
                    {e.revenue === null ? '—' : formatMoney(e.revenue, e.currency ?? 'USD')}
                  </td>
                  <td className="col-name small wrap-cell">
                    {e.reason}
                    {outcome?.id === e.id && (
                      <div className={outcome.ok ? 'yes' : 'error-text'} role="status">
                        {outcome.text}
                      </div>
                    )}
                  </td>
                  <td className="num nowrap">
                    <button
                      type="button"
                      className="button small"
                      disabled={action.busy}
                      aria-label={`Retry ${e.action} of ${e.leadPhone}`}
                      onClick={() => retry(e)}
                    >
                      Retry
                    </button>{' '}
                    <button
                      type="button"
                      className="button ghost small"
                      disabled={action.busy}
                      aria-label={`Delete ${e.action} of ${e.leadPhone}`}
                      onClick={() => {
                        if (
                          window.confirm(
                            `Delete this ${e.action} event of ${e.leadPhone}? This cannot be undone.`,
                          )
                        )
                          void run(async () => {
                            await client.api['events.unattributed.delete']({ id: e.id });
                            list.reload();
                            refresh();
                          });
                      }}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {data && data.total > data.rows.length && limit < 1000 && (
          <p className="hint row">
            Showing the newest {formatInt(data.rows.length)} of {formatInt(data.total)}.
            <button
              type="button"
              className="button ghost small"
              onClick={() => setLimit((l) => Math.min(l + PAGE, 1000))}
            >
              Show more
            </button>
          </p>
        )}
      </PanelState>
      <ErrorLine error={action.error} />
    </section>
  );
}
