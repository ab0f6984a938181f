import { useEffect, useMemo, useState } from 'react';
import type { OverviewFigures, OverviewMoney, OverviewRow } from '../../../shared/contract';
import { previousNote } from '../lib/comparison';
import { SLOW_LOAD_MS, useDelayedFlag } from '../lib/delayed';
import { errorText } from '../lib/errors';
import {
  formatAgo,
  formatChange,
  formatInt,
  formatMoney,
  formatPercent,
  formatRange,
  formatRatio,
} from '../lib/format';
import { toRangeInput } from '../lib/range';
import { useClient, useDashboard } from '../state/context';
import { COMPARE_LABEL, CompareSelect } from './CompareSelect';

// The agency overview (docs/metrics.md "Agency overview"): every workspace of the data folder side by side
// for the selected range; a workspace's name opens its dashboard. Money stays per currency, one line each.

type SortKey =
  | 'workspace'
  | 'numbers'
  | 'conversations'
  | 'leads'
  | 'conversionRate'
  | 'invested'
  | 'costPerLead'
  | 'revenue'
  | 'roas'
  | 'lastDataAt';

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'workspace', label: 'Workspace' },
  { key: 'numbers', label: 'Numbers' },
  { key: 'conversations', label: 'Conversations' },
  { key: 'leads', label: 'Leads' },
  { key: 'conversionRate', label: 'Converted' },
  { key: 'invested', label: 'Invested' },
  { key: 'costPerLead', label: 'Conversion cost' },
  { key: 'revenue', label: 'Revenue' },
  { key: 'roas', label: 'ROAS' },
  { key: 'lastDataAt', label: 'Last data received' },
];

/** The value a column sorts by; money by the workspace's own currency (the first line). */
function sortValue(r: OverviewRow, key: SortKey): number | string | null {
  const o = r.overview;
  if (key === 'workspace') return r.workspace;
  if (!o) return null;
  switch (key) {
    case 'numbers':
      return o.numbers;
    case 'conversations':
    case 'leads':
    case 'conversionRate':
      return o.figures[key];
    case 'lastDataAt':
      return o.lastDataAt;
    default:
      return o.figures.money[0]?.[key] ?? null;
  }
}

function Change({
  now,
  before,
  mode = 'relative',
  show,
  good = 'up',
}: {
  now: number | null;
  before: number | null | undefined;
  mode?: 'relative' | 'points';
  show: boolean;
  /** Which direction is good news (as on the KPI cards): spend is neutral, a cost going down is good. */
  good?: 'up' | 'down' | 'neutral';
}) {
  if (!show) return null;
  const c = formatChange(now, before, mode);
  if (!c.text) return null;
  const tone =
    good === 'neutral' || c.direction === 'flat'
      ? ''
      : (c.direction === 'up') === (good === 'up')
        ? 'good'
        : 'bad';
  return (
    <span className={`cell-change ${tone}`}>
      {c.direction === 'up' ? '▲' : c.direction === 'down' ? '▼' : '•'} {c.text}
    </span>
  );
}

/** One line per currency: amounts of two currencies are never added. */
/** The per-currency columns, in table order (ROAS is a ratio, the others money). */
const MONEY_COLUMNS = ['invested', 'costPerLead', 'revenue', 'roas'] as const;

function MoneyLines({
  money,
  previous,
  pick,
  show,
  ratio = false,
}: {
  money: OverviewMoney[];
  previous: OverviewFigures;
  pick: 'invested' | 'costPerLead' | 'revenue' | 'roas';
  show: boolean;
  ratio?: boolean;
}) {
  return (
    <>
      {money.map((m) => (
        <div key={m.currency} className="money-line">
          {ratio ? formatRatio(m[pick]) : formatMoney(m[pick], m.currency)}
          {ratio && money.length > 1 && <span className="muted small"> {m.currency}</span>}{' '}
          <Change
            now={m[pick]}
            before={previous.money.find((p) => p.currency === m.currency)?.[pick]}
            show={show}
            good={pick === 'invested' ? 'neutral' : pick === 'costPerLead' ? 'down' : 'up'}
          />
        </div>
      ))}
    </>
  );
}

export function Overview() {
  const client = useClient();
  const range = useDashboard((s) => s.range);
  const compare = useDashboard((s) => s.compare);
  const openWorkspace = useDashboard((s) => s.openWorkspace);
  const [rows, setRows] = useState<OverviewRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const dimmed = useDelayedFlag(loading, SLOW_LOAD_MS);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'conversations', desc: true });

  useEffect(() => {
    let live = true;
    setLoading(true);
    client.api['overview.get']({ range: toRangeInput(range), compare }).then(
      (r) => {
        if (!live) return;
        setRows(r.workspaces);
        setError(null);
        setLoading(false);
      },
      (err) => {
        if (!live) return;
        setError(errorText(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [client, range, compare]);

  useEffect(() => {
    document.title = 'Overview — Insights';
  }, []);

  const sorted = useMemo(() => {
    if (!rows) return [];
    const dir = sort.desc ? -1 : 1;
    return [...rows].sort((a, b) => {
      const x = sortValue(a, sort.key);
      const y = sortValue(b, sort.key);
      // Empty values last whichever the direction, then by name.
      if (x === null || y === null)
        return x === y ? a.workspace.localeCompare(b.workspace) : x === null ? 1 : -1;
      const c = typeof x === 'string' ? x.localeCompare(String(y)) : x - (y as number);
      return c === 0 ? a.workspace.localeCompare(b.workspace) : c * dir;
    });
  }, [rows, sort]);

  const first = rows?.find((r) => r.overview)?.overview;
  return (
    <div className="dashboard overview" data-testid="overview">
      <div className="dash-head">
        <div>
          <h1 className="dash-title">Overview</h1>
          <p className="muted small" data-testid="overview-range">
            {first
              ? `${formatRange(first.range.from, first.range.to)} · each workspace in its own timezone · ${COMPARE_LABEL[compare].toLowerCase()}`
              : '\u00a0'}
            {loading && rows ? (
              <span className="refresh-dot" title="Updating">
                <span className="sr-only">Updating</span>
              </span>
            ) : null}
          </p>
        </div>
        <div className="row">
          <CompareSelect />
        </div>
      </div>
      {error && (
        <p className="notice danger" role="alert">
          Could not load the overview: {error}
        </p>
      )}
      <section
        className={`panel ${dimmed ? 'is-refreshing' : ''}`}
        aria-labelledby="overview-title"
        aria-busy={loading}
      >
        <header className="panel-head">
          <h2 id="overview-title">Workspaces</h2>
          <span className="muted small">{rows ? `${formatInt(rows.length)} workspaces` : ''}</span>
        </header>
        {rows && rows.length === 0 ? (
          <p className="empty-hint">No workspaces yet.</p>
        ) : (
          <div className="table-scroll">
            <table className="data-table overview-table">
              <thead>
                <tr>
                  {COLUMNS.map((c) => {
                    const on = sort.key === c.key;
                    return (
                      <th
                        key={c.key}
                        scope="col"
                        className={c.key === 'workspace' ? 'col-name' : 'num'}
                        aria-sort={on ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                      >
                        <button
                          type="button"
                          className="sort-button"
                          onClick={() =>
                            setSort(
                              on
                                ? { key: c.key, desc: !sort.desc }
                                : { key: c.key, desc: c.key !== 'workspace' },
                            )
                          }
                        >
                          {c.label}
                          <span className="sort-mark" aria-hidden="true">
                            {on ? (sort.desc ? '▼' : '▲') : ''}
                          </span>
                        </button>
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody>
                {sorted.map((r) => {
                  const o = r.overview;
                  const note = o ? previousNote({ ...o.previous, compare }, "This workspace's") : null;
                  const show = note?.compare === true;
                  return (
                    <tr key={r.workspace} data-testid="overview-row" data-workspace={r.workspace}>
                      <th scope="row" className="col-name">
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => void openWorkspace(r.workspace)}
                          title={`Open the dashboard of ${r.workspace}`}
                        >
                          {r.isDemo ? `${r.workspace} (demo data)` : r.workspace}
                        </button>
                        {note?.text && o && (
                          <div className="muted small" title={note.title ?? undefined}>
                            {note.text}
                          </div>
                        )}
                      </th>
                      {!o ? (
                        <td colSpan={COLUMNS.length - 1} className="error-text">
                          Could not be read: {r.error}
                        </td>
                      ) : (
                        <>
                          <td className="num">{formatInt(o.numbers)}</td>
                          <td className="num">
                            {formatInt(o.figures.conversations)}{' '}
                            <Change
                              now={o.figures.conversations}
                              before={o.previous.conversations}
                              show={show}
                            />
                          </td>
                          <td className="num">
                            {formatInt(o.figures.leads)}{' '}
                            <Change now={o.figures.leads} before={o.previous.leads} show={show} />
                          </td>
                          <td className="num">
                            {formatPercent(o.figures.conversionRate)}{' '}
                            <Change
                              now={o.figures.conversionRate}
                              before={o.previous.conversionRate}
                              mode="points"
                              show={show}
                            />
                          </td>
                          {MONEY_COLUMNS.map((pick) => (
                            <td key={pick} className="num">
                              <MoneyLines
                                money={o.figures.money}
                                previous={o.previous}
                                pick={pick}
                                show={show}
                                ratio={pick === 'roas'}
                              />
                            </td>
                          ))}
                          <td className="num" title={o.lastDataAt ?? undefined}>
                            {o.lastDataAt ? formatAgo(o.lastDataAt) : 'never'}
                          </td>
                        </>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
