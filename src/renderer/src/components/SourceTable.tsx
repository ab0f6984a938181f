import {
  type ColumnDef,
  type ExpandedState,
  flexRender,
  getCoreRowModel,
  getExpandedRowModel,
  getSortedRowModel,
  type Row,
  type SortingState,
  useReactTable,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef, useState } from 'react';
import type { Investment, Report } from '../../../shared/contract';
import { formatInt, formatMoney, formatOtherMoney, formatPercent, formatRatio } from '../lib/format';
import { nullsLast } from '../lib/sorting';
import {
  buildRows,
  type GroupAds,
  KIND_BADGE,
  searchRows,
  sourceTableCsv,
  type TableRow,
  totalRow,
} from '../lib/sources';
import { ChevronDown, ChevronRight, DownloadIcon, MetaIcon, PencilIcon, SearchIcon } from './Icons';
import { InvestedEditor, type InvestInput } from './InvestedEditor';
import { InvestedTag } from './InvestedTag';
import { Modal } from './Modal';

/** Above this many rows only the visible ones are in the DOM. */
const VIRTUAL_FROM = 80;
const ROW_HEIGHT = 44;

export interface SourceTableProps {
  report: Report | null;
  /** Standalone use only; the dashboard dims all panels together while a report loads. */
  loading?: boolean;
  error: string | null;
  sort?: { column: string; desc: boolean } | undefined;
  groupAds?: GroupAds | undefined;
  onSortChange?: (sort: { column: string; desc: boolean }) => void;
  onGroupChange?: (g: GroupAds) => void;
  onOpen?: (row: TableRow) => void;
  onRename?: (id: string, name: string) => Promise<void>;
  onInvest?: (input: InvestInput) => Promise<void>;
  investments?: { load: (sourceId: string) => Promise<Investment[]>; remove: (id: number) => Promise<void> };
  onExportCsv?: (csv: string) => void;
  onDownloadContacts?: (sourceId: string | null) => void;
}

export const SourceTable = memo(function SourceTable(props: SourceTableProps) {
  const { report, loading, error, onOpen, onRename, onInvest, onExportCsv, onDownloadContacts } = props;
  const currency = report?.totals.currency ?? 'USD';
  const [query, setQuery] = useState('');
  const [sorting, setSorting] = useState<SortingState>(() =>
    props.sort ? [{ id: props.sort.column, desc: props.sort.desc }] : [{ id: 'conversations', desc: true }],
  );
  const [expanded, setExpanded] = useState<ExpandedState>({});
  const [groupAds, setGroupAds] = useState<GroupAds>(props.groupAds ?? 'none');
  const [renaming, setRenaming] = useState<string | null>(null);
  const [investing, setInvesting] = useState<TableRow | null>(null);
  const [renameError, setRenameError] = useState<string | null>(null);

  const hasAdGroups = report?.sources.some((s) => s.kind === 'meta_ad' && s.meta?.campaignId) ?? false;
  const rows = useMemo(
    () => searchRows(buildRows(report?.sources ?? [], hasAdGroups ? groupAds : 'none'), query),
    [report, groupAds, query, hasAdGroups],
  );
  const byValue = useMemo(() => nullsLast<TableRow>(sorting[0]?.desc ?? true), [sorting]);
  const maxConv = useMemo(() => rows.reduce((m, r) => Math.max(m, r.conversations), 0), [rows]);

  const columns = useMemo<ColumnDef<TableRow>[]>(
    () => [
      {
        id: 'name',
        accessorFn: (r) => r.name.toLocaleLowerCase(),
        header: 'Source',
        sortDescFirst: false,
        cell: ({ row }) => (
          <NameCell
            row={row}
            renaming={renaming === row.original.id}
            onStartRename={
              onRename && row.original.source && row.original.kind !== 'rollup'
                ? () => setRenaming(row.original.id)
                : undefined
            }
            onRename={async (name) => {
              if (!onRename) return;
              try {
                await onRename(row.original.id, name);
                setRenameError(null);
                setRenaming(null);
              } catch (err) {
                setRenameError(err instanceof Error ? err.message : 'Could not rename');
              }
            }}
            onCancel={() => {
              setRenaming(null);
              setRenameError(null);
            }}
            onOpen={onOpen}
          />
        ),
      },
      {
        id: 'conversations',
        accessorKey: 'conversations',
        header: 'Conversations',
        sortingFn: byValue,
        cell: ({ row }) => (
          <span className="bar-cell">
            <span
              className="row-bar"
              style={{ width: `${maxConv ? (row.original.conversations / maxConv) * 100 : 0}%` }}
            />
            <span className="num">{formatInt(row.original.conversations)}</span>
          </span>
        ),
      },
      {
        id: 'leads',
        accessorKey: 'leads',
        header: 'Leads',
        sortingFn: byValue,
        cell: ({ row }) => formatInt(row.original.leads),
      },
      {
        id: 'conversionRate',
        accessorKey: 'conversionRate',
        header: 'Converted',
        sortingFn: byValue,
        cell: ({ row }) => formatPercent(row.original.conversionRate),
      },
      {
        id: 'invested',
        accessorKey: 'invested',
        header: 'Invested',
        sortingFn: byValue,
        cell: ({ row }) => (
          <InvestedCell
            row={row.original}
            currency={currency}
            onEdit={
              onInvest && row.original.source && row.original.kind !== 'rollup'
                ? () => setInvesting(row.original)
                : undefined
            }
          />
        ),
      },
      {
        id: 'costPerLead',
        accessorKey: 'costPerLead',
        header: 'Conversion cost',
        sortingFn: byValue,
        cell: ({ row }) => formatMoney(row.original.costPerLead, currency),
      },
      {
        id: 'revenue',
        accessorKey: 'revenue',
        header: 'Revenue',
        sortingFn: byValue,
        cell: ({ row }) => {
          const other = formatOtherMoney(row.original.revenueOther);
          return (
            <span title={other ? `Also ${other} in other currencies` : undefined}>
              {formatMoney(row.original.revenue, currency)}
              {other && <span className="other-mark">*</span>}
            </span>
          );
        },
      },
      {
        id: 'roas',
        accessorKey: 'roas',
        header: 'ROAS',
        sortingFn: byValue,
        cell: ({ row }) => formatRatio(row.original.roas),
      },
    ],
    [renaming, onRename, onInvest, onOpen, currency, maxConv, byValue],
  );

  const table = useReactTable({
    data: rows,
    columns,
    state: { sorting, expanded },
    onSortingChange: (u) => {
      const next = typeof u === 'function' ? u(sorting) : u;
      setSorting(next);
      const first = next[0];
      if (first) props.onSortChange?.({ column: first.id, desc: first.desc });
    },
    onExpandedChange: setExpanded,
    getSubRows: (r) => r.subRows,
    getRowId: (r) => r.id,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getExpandedRowModel: getExpandedRowModel(),
    sortDescFirst: true,
    enableSortingRemoval: false,
  });

  const flat = table.getRowModel().rows;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtual = flat.length > VIRTUAL_FROM;
  const virtualizer = useVirtualizer({
    count: flat.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    enabled: virtual,
    initialRect: { width: 1000, height: 600 },
  });
  const items = virtual ? virtualizer.getVirtualItems() : null;
  const visible = items ? items.map((i) => flat[i.index]!) : flat;
  const padTop = items && items.length > 0 ? items[0]!.start : 0;
  const padBottom = items && items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const colCount = columns.length;

  const t = useMemo(
    () => (report ? totalRow(report.totals, rows, query.trim() !== '') : null),
    [report, rows, query],
  );
  const investments = props.investments;
  const investEntries = useMemo(
    () =>
      investing && investments
        ? { load: () => investments.load(investing.id), remove: investments.remove }
        : undefined,
    [investing, investments],
  );

  return (
    <section className={`panel sources ${loading ? 'is-refreshing' : ''}`} aria-labelledby="sources-title">
      <header className="panel-head wrap">
        <h2 id="sources-title">Sources</h2>
        <span className="muted small" aria-live="polite">
          {report ? `${formatInt(rows.length)} of ${formatInt(report.sources.length)}` : ''}
        </span>
        <div className="toolbar">
          <label className="search-field compact">
            <SearchIcon />
            <span className="sr-only">Search sources</span>
            <input
              type="search"
              placeholder="Search sources"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              data-testid="source-search"
            />
          </label>
          {hasAdGroups && (
            <select
              className="select"
              aria-label="Group ads"
              value={groupAds}
              onChange={(e) => {
                const g = e.target.value as GroupAds;
                setGroupAds(g);
                props.onGroupChange?.(g);
              }}
            >
              <option value="none">Ads ungrouped</option>
              <option value="campaign">Group by campaign</option>
              <option value="adset">Group by ad set</option>
            </select>
          )}
          {onExportCsv && (
            <button
              type="button"
              className="button ghost"
              disabled={!report}
              onClick={() =>
                onExportCsv(
                  sourceTableCsv(
                    flat.map((r) => ({ row: r.original, depth: r.depth })),
                    t!,
                    currency,
                  ),
                )
              }
              data-testid="export-sources"
            >
              <DownloadIcon /> Export table
            </button>
          )}
          {onDownloadContacts && (
            <button
              type="button"
              className="button ghost"
              disabled={!report || report.totals.conversations === 0}
              onClick={() => onDownloadContacts(null)}
              data-testid="download-contacts-all"
            >
              <DownloadIcon /> Download contacts
            </button>
          )}
        </div>
      </header>
      {renameError && (
        <p className="hint error-text" role="alert">
          {renameError}
        </p>
      )}
      {error && !report ? (
        <p className="empty-hint">No sources to show.</p>
      ) : report && report.sources.length === 0 ? (
        <p className="empty-hint">No conversations started in this range.</p>
      ) : (
        <div className="table-scroll" ref={scrollRef} data-virtual={virtual}>
          <table className="data-table" aria-rowcount={flat.length + 1}>
            <thead>
              {table.getHeaderGroups().map((hg) => (
                <tr key={hg.id}>
                  {hg.headers.map((h) => {
                    const sorted = h.column.getIsSorted();
                    return (
                      <th
                        key={h.id}
                        scope="col"
                        className={h.column.id === 'name' ? 'col-name' : 'num'}
                        aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
                      >
                        <button
                          type="button"
                          className="sort-button"
                          onClick={h.column.getToggleSortingHandler()}
                        >
                          {flexRender(h.column.columnDef.header, h.getContext())}
                          <span className="sort-mark" aria-hidden="true">
                            {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                          </span>
                        </button>
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody>
              {padTop > 0 && (
                <tr className="spacer" style={{ height: padTop }}>
                  <td colSpan={colCount} />
                </tr>
              )}
              {visible.map((row) => (
                <tr
                  key={row.id}
                  className={`depth-${row.depth} ${row.original.kind === 'group' ? 'group-row' : ''} ${
                    row.original.conversations === 0 ? 'no-conv' : ''
                  }`}
                  style={virtual ? { height: ROW_HEIGHT } : undefined}
                  data-testid="source-row"
                  data-source-id={row.original.id}
                >
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className={cell.column.id === 'name' ? 'col-name' : 'num'}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))}
              {padBottom > 0 && (
                <tr className="spacer" style={{ height: padBottom }}>
                  <td colSpan={colCount} />
                </tr>
              )}
            </tbody>
            {t && (
              <tfoot>
                <tr data-testid="totals-row">
                  <th scope="row" className="col-name" data-testid="totals-label">
                    {t.name}
                  </th>
                  <td className="num">{formatInt(t.conversations)}</td>
                  <td className="num">{formatInt(t.leads)}</td>
                  <td className="num">{formatPercent(t.conversionRate)}</td>
                  <td className="num">{formatMoney(t.invested, currency)}</td>
                  <td className="num">{formatMoney(t.costPerLead, currency)}</td>
                  <td className="num">{formatMoney(t.revenue, currency)}</td>
                  <td className="num">{formatRatio(t.roas)}</td>
                </tr>
              </tfoot>
            )}
          </table>
        </div>
      )}
      {investing && report && onInvest && (
        <Modal label={`Invested in ${investing.name}`} onClose={() => setInvesting(null)}>
          <InvestedEditor
            sourceId={investing.id}
            sourceName={investing.name}
            invested={investing.invested}
            investedFrom={investing.investedFrom}
            range={report.range}
            currency={currency}
            onCancel={() => setInvesting(null)}
            entries={investEntries}
            onSave={async (input) => {
              await onInvest(input);
              setInvesting(null);
            }}
          />
        </Modal>
      )}
    </section>
  );
});

function NameCell({
  row,
  renaming,
  onStartRename,
  onRename,
  onCancel,
  onOpen,
}: {
  row: Row<TableRow>;
  renaming: boolean;
  onStartRename: (() => void) | undefined;
  onRename: (name: string) => Promise<void>;
  onCancel: () => void;
  onOpen: ((row: TableRow) => void) | undefined;
}) {
  const r = row.original;
  const [draft, setDraft] = useState(r.name);
  const badge = KIND_BADGE[r.kind];
  const canOpen = onOpen && r.kind !== 'group' && r.source !== null;
  return (
    <div className="name-cell" style={{ paddingLeft: row.depth * 20 }}>
      {row.getCanExpand() ? (
        <button
          type="button"
          className="icon-button small"
          aria-label={`${row.getIsExpanded() ? 'Collapse' : 'Expand'} ${r.name}`}
          aria-expanded={row.getIsExpanded()}
          onClick={row.getToggleExpandedHandler()}
        >
          {row.getIsExpanded() ? <ChevronDown /> : <ChevronRight />}
        </button>
      ) : null}
      {r.kind === 'meta_ad' || r.kind === 'meta_post' ? (
        <span className="meta-icon" role="img" aria-label="Click-to-WhatsApp ad" title="Click-to-WhatsApp ad">
          <MetaIcon />
        </span>
      ) : null}
      {renaming ? (
        <input
          className="rename-input"
          value={draft}
          autoFocus
          aria-label={`New name for ${r.name}`}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={onCancel}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              const name = draft.trim();
              if (name && name !== r.name) void onRename(name);
              else onCancel();
            } else if (e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              setDraft(r.name);
              onCancel();
            }
          }}
          data-testid="rename-input"
        />
      ) : canOpen ? (
        <button type="button" className="link-button source-name" title={r.id} onClick={() => onOpen(r)}>
          {r.name}
        </button>
      ) : (
        <span className="source-name" title={r.kind === 'group' ? undefined : r.id}>
          {r.name}
        </span>
      )}
      {r.kind === 'group' && <span className="kind-badge">{r.groupLabel}</span>}
      {badge && !renaming && <span className={`kind-badge kind-${r.kind}`}>{badge}</span>}
      {r.conversations === 0 && r.invested !== null && (
        <span className="kind-badge warn">spent, no conversations</span>
      )}
      {onStartRename && !renaming && (
        <button
          type="button"
          className="icon-button small reveal"
          aria-label={`Rename ${r.name}`}
          onClick={() => {
            setDraft(r.name);
            onStartRename();
          }}
          data-testid="rename-button"
        >
          <PencilIcon />
        </button>
      )}
    </div>
  );
}

function InvestedCell({
  row,
  currency,
  onEdit,
}: {
  row: TableRow;
  currency: string;
  onEdit: (() => void) | undefined;
}) {
  const other = formatOtherMoney(row.investedOther);
  return (
    <span className="invested-cell">
      <InvestedTag from={row.investedFrom} />
      <span title={other ? `Also ${other} in other currencies` : undefined}>
        {formatMoney(row.invested, currency)}
        {other && <span className="other-mark">*</span>}
      </span>
      {onEdit && (
        <button
          type="button"
          className="icon-button small soft"
          aria-label={`Edit invested for ${row.name}`}
          onClick={onEdit}
          data-testid="invest-button"
        >
          <PencilIcon />
        </button>
      )}
    </span>
  );
}
