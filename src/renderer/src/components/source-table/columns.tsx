import type { ColumnDef, SortingFn } from '@tanstack/react-table';
import { formatInt, formatMoney, formatPercent, formatRatio } from '../../lib/format';
import type { TableRow } from '../../lib/sources';
import { InvestedCell } from './InvestedCell';
import { MoneyWithOther } from './Money';
import { NameCell } from './NameCell';

/** What the columns need from the table: figures for the cells and the table's actions. */
export interface ColumnOptions {
  currency: string;
  /** The largest conversation count on screen: the bar behind each count is relative to it. */
  maxConv: number;
  /** Sorting for the figure columns (empty values last whichever the direction). */
  byValue: SortingFn<TableRow>;
  /** The id of the row whose name is being edited. */
  renamingId: string | null;
  /** Undefined when the table cannot rename. */
  onStartRename: ((row: TableRow) => void) | undefined;
  onRename: (row: TableRow, name: string) => Promise<void>;
  onCancelRename: () => void;
  /** Undefined when the table cannot edit invested amounts. */
  onEditInvested: ((row: TableRow) => void) | undefined;
  onOpen: ((row: TableRow) => void) | undefined;
}

/** Sources of their own can be renamed and given an invested amount; groups and rollups cannot. */
const editable = (r: TableRow) => r.source !== null && r.kind !== 'rollup';

/** The source table's columns, in display order (the totals row follows the same order). */
export function sourceColumns(o: ColumnOptions): ColumnDef<TableRow>[] {
  const { currency, maxConv, byValue, onStartRename, onEditInvested } = o;
  return [
    {
      id: 'name',
      accessorFn: (r) => r.name.toLocaleLowerCase(),
      header: 'Source',
      sortDescFirst: false,
      cell: ({ row }) => (
        <NameCell
          row={row}
          renaming={o.renamingId === row.original.id}
          onStartRename={
            onStartRename && editable(row.original) ? () => onStartRename(row.original) : undefined
          }
          onRename={(name) => o.onRename(row.original, name)}
          onCancel={o.onCancelRename}
          onOpen={o.onOpen}
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
          onEdit={onEditInvested && editable(row.original) ? () => onEditInvested(row.original) : undefined}
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
      cell: ({ row }) => (
        <MoneyWithOther amount={row.original.revenue} other={row.original.revenueOther} currency={currency} />
      ),
    },
    {
      id: 'roas',
      accessorKey: 'roas',
      header: 'ROAS',
      sortingFn: byValue,
      cell: ({ row }) => formatRatio(row.original.roas),
    },
  ];
}
