import {
  type ExpandedState,
  flexRender,
  getCoreRowModel,
  getExpandedRowModel,
  getSortedRowModel,
  type SortingState,
  useReactTable,
} from '@tanstack/react-table';
import { useVirtualizer, type VirtualizerOptions } from '@tanstack/react-virtual';
import { memo, useMemo, useRef, useState } from 'react';
import type { Investment, Report, SourceRow, TemplateDelivery } from '../../../shared/contract';
import { usePrinting } from '../lib/print';
import { nullsLast } from '../lib/sorting';
import {
  buildRows,
  type GroupAds,
  searchRows,
  sourceTableCsv,
  type TableRow,
  totalRow,
} from '../lib/sources';
import { InvestedEditor, type InvestInput } from './InvestedEditor';
import { Modal } from './Modal';
import { OPTIONAL_COLUMNS, sourceColumns } from './source-table/columns';
import { SortableHead } from './source-table/SortableHead';
import { SourcesHeader } from './source-table/SourcesHeader';
import { TotalsFooter } from './source-table/TotalsFooter';
import { DeliveryContext } from './TemplateDelivery';

// The sources panel: state (search, sorting, grouping, expanded rows, rename, invest), the table and its
// virtualised body. Columns and cells are in ./source-table.

/**
 * The scroll box's size, as the virtualizer's default reads it (clientWidth/clientHeight), but only once
 * the browser has laid the page out: ResizeObserver reports after layout
 * (https://www.w3.org/TR/resize-observer/#html-event-loop), where the default also reads it when the
 * table mounts, forcing a layout of the whole page in the middle of React's commit (~60 ms on a slow
 * machine, on the way to the first dashboard). `initialRect` stands in until the first report.
 */
const observeRectAfterLayout: VirtualizerOptions<HTMLDivElement, Element>['observeElementRect'] = (
  instance,
  cb,
) => {
  const el = instance.scrollElement;
  const Observer = instance.targetWindow?.ResizeObserver;
  if (!el || !Observer) return;
  const observer = new Observer(() => cb({ width: el.clientWidth, height: el.clientHeight }));
  observer.observe(el, { box: 'content-box' });
  return () => observer.disconnect();
};

/** Above this many rows only the visible ones are in the DOM. */
const VIRTUAL_FROM = 80;
const ROW_HEIGHT = 44;

export interface SourceTableProps {
  report: Report | null;
  /**
   * The rows to show when they are not the report's own (the dashboard's: all rows once they came after a
   * report that brought its first ones only); default `report.sources`.
   */
  sources?: SourceRow[] | null | undefined;
  /** Whether `sources` are all the rows: the CSV export waits for them (default true). */
  complete?: boolean | undefined;
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
  /** The optional columns shown (column chooser); remembered by the caller. */
  columns?: string[] | undefined;
  onColumnsChange?: (columns: string[]) => void;
  /** Delivery of the range's template campaigns by source id (shown under their rows). */
  delivery?: ReadonlyMap<string, TemplateDelivery> | null | undefined;
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
  const [shownOptional, setShownOptional] = useState<string[]>(props.columns ?? []);
  const columnVisibility = useMemo(
    () => Object.fromEntries(OPTIONAL_COLUMNS.map((c) => [c.id, shownOptional.includes(c.id)])),
    [shownOptional],
  );

  const sources = props.sources ?? report?.sources ?? null;
  const complete = props.complete ?? true;
  const hasAdGroups = sources?.some((s) => s.kind === 'meta_ad' && s.meta?.campaignId) ?? false;
  const rows = useMemo(
    () => searchRows(buildRows(sources ?? [], hasAdGroups ? groupAds : 'none'), query),
    [sources, groupAds, query, hasAdGroups],
  );
  const byValue = useMemo(() => nullsLast<TableRow>(sorting[0]?.desc ?? true), [sorting]);
  const maxConv = useMemo(() => rows.reduce((m, r) => Math.max(m, r.conversations), 0), [rows]);

  const columns = useMemo(
    () =>
      sourceColumns({
        currency,
        maxConv,
        byValue,
        renamingId: renaming,
        onStartRename: onRename ? (r) => setRenaming(r.id) : undefined,
        onRename: async (r, name) => {
          if (!onRename) return;
          try {
            await onRename(r.id, name);
            setRenameError(null);
            setRenaming(null);
          } catch (err) {
            setRenameError(err instanceof Error ? err.message : 'Could not rename');
          }
        },
        onCancelRename: () => {
          setRenaming(null);
          setRenameError(null);
        },
        onEditInvested: onInvest ? (r) => setInvesting(r) : undefined,
        onOpen,
      }),
    [renaming, onRename, onInvest, onOpen, currency, maxConv, byValue],
  );

  const table = useReactTable({
    data: rows,
    columns,
    state: { sorting, expanded, columnVisibility },
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
  // A printed report holds every row: the virtual body's spacers would print as blank pages.
  const printing = usePrinting();
  const virtual = !printing && flat.length > VIRTUAL_FROM;
  const virtualizer = useVirtualizer({
    count: flat.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    enabled: virtual,
    // The scroll box's largest height (.table-scroll's max-height): until the first measurement, the rows
    // of a full box are rendered, never too few.
    initialRect: { width: 1000, height: 620 },
    observeElementRect: observeRectAfterLayout,
  });
  const items = virtual ? virtualizer.getVirtualItems() : null;
  const visible = items ? items.map((i) => flat[i.index]!) : flat;
  const padTop = items && items.length > 0 ? items[0]!.start : 0;
  const padBottom = items && items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const shownColumns = table
    .getVisibleLeafColumns()
    .map((c) => c.id)
    .filter((id) => id !== 'name');
  const colCount = shownColumns.length + 1;

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
    <DeliveryContext.Provider value={props.delivery ?? null}>
      <section className={`panel sources ${loading ? 'is-refreshing' : ''}`} aria-labelledby="sources-title">
        <SourcesHeader
          report={report}
          shown={rows.length}
          total={report?.sourcesTotal ?? sources?.length ?? 0}
          complete={complete}
          query={query}
          onQueryChange={setQuery}
          groupAds={hasAdGroups ? groupAds : null}
          onGroupChange={(g) => {
            setGroupAds(g);
            props.onGroupChange?.(g);
          }}
          onExport={
            onExportCsv
              ? () =>
                  onExportCsv(
                    sourceTableCsv(
                      flat.map((r) => ({ row: r.original, depth: r.depth })),
                      t!,
                      currency,
                    ),
                  )
              : undefined
          }
          onDownloadContacts={onDownloadContacts}
          columns={shownOptional}
          onColumnsChange={(next) => {
            setShownOptional(next);
            props.onColumnsChange?.(next);
          }}
        />
        {renameError && (
          <p className="hint error-text" role="alert">
            {renameError}
          </p>
        )}
        {error && !report ? (
          <p className="empty-hint">No sources to show.</p>
        ) : report && sources?.length === 0 ? (
          <p className="empty-hint">No conversations started in this range.</p>
        ) : (
          <div className="table-scroll" ref={scrollRef} data-virtual={virtual}>
            <table className="data-table" aria-rowcount={flat.length + 1}>
              <SortableHead table={table} />
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
              {t && <TotalsFooter totals={t} currency={currency} columns={shownColumns} />}
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
    </DeliveryContext.Provider>
  );
});
