import { useEffect, useRef, useState } from 'react';
import { isAllNumbers } from '../../../shared/all-numbers';
import type { ConversationRow, ResultOf } from '../../../shared/contract';
import { restOf } from '../../../shared/source-keys';
import { errorText } from '../lib/errors';
import { DASH, formatDateTime, formatDuration, formatInt, formatMoney } from '../lib/format';
import { toRangeInput } from '../lib/range';
import { useClient, useDashboard } from '../state/context';
import { sourceRowsOf, zoneArg } from '../state/store';
import { BackIcon, CloseIcon, DownloadIcon } from './Icons';
import { SentToMeta } from './SentToMeta';
import { TemplateDeliveryPanel } from './TemplateDelivery';
import { phoneLabel } from './TopBar';

const PAGE = 100;
type Timeline = ResultOf<'conversations.timeline'>;

/** A source's conversations, and one conversation's timeline. */
export function DrillDown({ onDownload }: { onDownload: (sourceId: string, all: boolean) => void }) {
  const client = useClient();
  const drill = useDashboard((s) => s.drill);
  const closeDrill = useDashboard((s) => s.closeDrill);
  const phoneId = useDashboard((s) => s.phoneId);
  const phones = useDashboard((s) => s.phones);
  // All numbers: each conversation says which number it is on.
  const allNumbers = phoneId !== null && isAllNumbers(phoneId);
  const numberLabel = (id: string) => {
    const p = phones?.find((x) => x.id === id);
    return p ? phoneLabel(p) : id;
  };
  const range = useDashboard((s) => s.range);
  const timezone = useDashboard((s) => s.timezone);
  const report = useDashboard((s) => s.report);
  const sources = useDashboard(sourceRowsOf);
  const eventId = report?.event?.id;
  // The conversations the shown row counts: those of its source in the report's attribution model.
  const model = report?.model && report.model !== 'conversation' ? report.model : undefined;
  const currency = report?.totals.currency ?? 'USD';
  const tz = report?.range.timezone;
  const [rows, setRows] = useState<ConversationRow[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const panelRef = useRef<HTMLElement>(null);

  // Keyboard users land in the drawer when it opens, and back on the row they opened it from when it closes
  // (WAI-ARIA APG, Dialog (Modal) pattern, https://www.w3.org/WAI/ARIA/apg/patterns/dialog-modal/).
  const sourceId = drill?.sourceId;
  useEffect(() => {
    if (!sourceId) return;
    panelRef.current?.focus();
    return () => {
      const row = document.querySelector<HTMLElement>(
        `[data-source-id="${CSS.escape(sourceId)}"] .source-name`,
      );
      row?.focus();
    };
  }, [sourceId]);

  useEffect(() => {
    if (!drill || !phoneId) return;
    let live = true;
    setRows(null);
    setError(null);
    setOpen(null);
    client.api['sources.conversations']({
      phone: phoneId,
      range: toRangeInput(range),
      ...zoneArg(timezone),
      source: drill.sourceId,
      ...(eventId ? { event: eventId } : {}),
      ...(model ? { model } : {}),
      limit: PAGE,
    }).then(
      (r) => {
        if (!live) return;
        setRows(r.rows);
        setTotal(r.total);
      },
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [client, drill, phoneId, range, timezone, eventId, model]);

  if (!drill) return null;

  // The button that was pressed disappears with the view it was in: the focus stays in the drawer.
  const show = (id: string | null) => {
    setOpen(id);
    panelRef.current?.focus();
  };
  const backToList = () => show(null);

  const loadMore = async () => {
    if (!rows || !phoneId) return;
    setLoadingMore(true);
    try {
      const r = await client.api['sources.conversations']({
        phone: phoneId,
        range: toRangeInput(range),
        ...zoneArg(timezone),
        ...zoneArg(timezone),
        source: drill.sourceId,
        ...(eventId ? { event: eventId } : {}),
        ...(model ? { model } : {}),
        offset: rows.length,
        limit: PAGE,
      });
      setRows([...rows, ...r.rows]);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <aside
      ref={panelRef}
      className="drawer drill"
      aria-label={`Conversations of ${drill.sourceName}`}
      data-testid="drilldown"
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        if (open) backToList();
        else closeDrill();
      }}
    >
      <header className="panel-head">
        {open ? (
          <button
            type="button"
            className="icon-button"
            aria-label="Back to the conversations"
            onClick={backToList}
          >
            <BackIcon />
          </button>
        ) : null}
        <h2 className="drill-title" title={drill.sourceId}>
          {open ? 'Conversation' : drill.sourceName}
        </h2>
        <button type="button" className="icon-button" aria-label="Close the drill-down" onClick={closeDrill}>
          <CloseIcon />
        </button>
      </header>
      {open ? (
        <TimelineView id={open} currency={currency} tz={tz} />
      ) : (
        <>
          {restOf(drill.sourceId, 'tpl') !== null && (
            <TemplateDeliveryPanel
              sourceId={drill.sourceId}
              row={sources?.find((r) => r.id === drill.sourceId)}
              currency={currency}
            />
          )}
          <SentToMeta sourceId={drill.sourceId} />
          <div className="row between">
            <span className="muted small" aria-live="polite">
              {rows
                ? `${formatInt(total)} conversations${report?.event ? ` · leads for “${report.event.label}”` : ''}`
                : ''}
            </span>
            <div className="row">
              <button
                type="button"
                className="button ghost small"
                onClick={() => onDownload(drill.sourceId, false)}
                data-testid="download-contacts-source"
              >
                <DownloadIcon /> Leads
              </button>
              <button
                type="button"
                className="button ghost small"
                onClick={() => onDownload(drill.sourceId, true)}
              >
                <DownloadIcon /> All
              </button>
            </div>
          </div>
          {error && <p className="hint error-text">{error}</p>}
          {rows === null && !error && <p className="empty-hint">Loading conversations…</p>}
          {rows && rows.length === 0 && (
            <p className="empty-hint">No conversations from this source in the range.</p>
          )}
          {rows && rows.length > 0 && (
            <table className="data-table compact-table">
              <thead>
                <tr>
                  <th scope="col" className="col-name">
                    Contact
                  </th>
                  <th scope="col">Started</th>
                  <th scope="col" className="num">
                    Converted
                  </th>
                  <th scope="col" className="num">
                    Revenue
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.id} data-testid="conversation-row">
                    <td className="col-name">
                      <button type="button" className="link-button contact-cell" onClick={() => show(c.id)}>
                        <span className="contact-name">{c.name ?? `+${c.contact}`}</span>
                        {c.name && <span className="muted small">+{c.contact}</span>}
                      </button>
                    </td>
                    <td className="small">
                      {formatDateTime(c.start, undefined, tz)}
                      {allNumbers && c.phone && (
                        <span className="muted small drill-number" data-testid="conversation-number">
                          on {numberLabel(c.phone)}
                        </span>
                      )}
                    </td>
                    <td
                      className="num small"
                      title={
                        c.eventTime ? `Event at ${formatDateTime(c.eventTime, undefined, tz)}` : undefined
                      }
                    >
                      {c.converted ? (
                        <span className="yes">
                          ✓{' '}
                          {c.eventTime
                            ? `after ${formatDuration((Date.parse(c.eventTime) - Date.parse(c.start)) / 1000)}`
                            : ''}
                        </span>
                      ) : (
                        <span className="muted">{DASH}</span>
                      )}
                    </td>
                    <td className="num">{formatMoney(c.revenue, currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {rows && rows.length < total && (
            <button type="button" className="button" onClick={() => void loadMore()} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : `Show more (${formatInt(total - rows.length)} left)`}
            </button>
          )}
        </>
      )}
    </aside>
  );
}

function TimelineView({ id, currency, tz }: { id: string; currency: string; tz: string | undefined }) {
  const client = useClient();
  const [data, setData] = useState<Timeline | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    client.api['conversations.timeline']({ id }).then(
      (t) => live && setData(t),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [client, id]);
  if (error) return <p className="hint error-text">{error}</p>;
  if (!data) return <p className="empty-hint">Loading the timeline…</p>;
  return (
    <div className="timeline" data-testid="timeline">
      <p className="small">
        <strong>{data.name ?? data.contact}</strong> <span className="muted">{data.contact}</span>
        <br />
        <span className="muted">
          Source <code>{data.sourceId}</code> · started {formatDateTime(data.start, undefined, tz)}
        </span>
      </p>
      <ol className="timeline-list">
        {data.items.map((it) =>
          it.kind === 'external' ? (
            <li key={`e-${it.id}`} className="tl-external">
              <span className="kind-badge kind-external">Event</span>{' '}
              <strong>{it.eventId.replace(/^ext:/, '')}</strong>
              {it.revenue && (
                <span> · {formatMoney(it.revenue.amount, it.revenue.currency || currency)}</span>
              )}
              <time className="muted small">{formatDateTime(it.ts, undefined, tz)}</time>
            </li>
          ) : (
            <li
              key={`m-${it.id}`}
              className={`tl-msg ${it.direction === 'in' ? 'in' : 'out'} ${it.counts ? '' : 'dim'}`}
            >
              <div className="bubble">
                {it.referral && <span className="kind-badge kind-meta_ad">Ad click</span>}
                {it.template && <span className="kind-badge">Template {it.template}</span>}
                <span className="tl-text">{it.text ?? `[${it.type}]`}</span>
                {it.eventId && <span className="kind-badge event-hit">{it.eventId}</span>}
              </div>
              <time className="muted small">
                {formatDateTime(it.ts, undefined, tz)}
                {it.statuses.length > 0 && ` · ${it.statuses[it.statuses.length - 1]!.status}`}
              </time>
            </li>
          ),
        )}
      </ol>
    </div>
  );
}
