import type { ColumnDef, SortingFn } from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { clickThroughRate, revenuePerLead } from '../../../../shared/rates';
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

/**
 * Columns the chooser adds (hidden unless chosen; remembered in the preferences' `table.columns`), with
 * what the chooser says about each. Definitions: docs/metrics.md "Metrics".
 */
export const OPTIONAL_COLUMNS = [
  { id: 'contacts', label: 'Contacts', help: 'Distinct contacts of the source' },
  {
    id: 'costPerConversationStarted',
    label: 'Cost per conversation started',
    help: "Invested ÷ Meta's conversations started (ads)",
  },
  { id: 'revenuePerLead', label: 'Revenue per lead', help: 'Revenue ÷ leads' },
  { id: 'impressions', label: 'Impressions', help: "Meta's impressions (ads)" },
  { id: 'clicks', label: 'Clicks', help: "Meta's clicks (ads)" },
  { id: 'ctr', label: 'CTR', help: 'Clicks ÷ impressions (ads)' },
  {
    id: 'started',
    label: 'Conversations started (Meta)',
    help: "Meta's messaging conversations started (ads)",
  },
] as const;
export type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number]['id'];

const num = (v: number | null) => (v === null ? '—' : formatInt(v));

/** A figure of a row (a source, a group, the totals) as its cell shows it: the footer uses the same. */
export function figureCell(id: string, r: TableRow, currency: string): ReactNode {
  switch (id) {
    case 'conversations':
      return formatInt(r.conversations);
    case 'contacts':
      return num(r.contacts);
    case 'leads':
      return r.leads === null ? '—' : formatInt(r.leads);
    case 'conversionRate':
      return formatPercent(r.conversionRate);
    case 'invested':
      return formatMoney(r.invested, currency);
    case 'costPerLead':
      return formatMoney(r.costPerLead, currency);
    case 'costPerConversationStarted':
      return formatMoney(r.costPerConversationStarted, currency);
    case 'revenue':
      return formatMoney(r.revenue, currency);
    case 'revenuePerLead':
      return formatMoney(revenuePerLead(r.revenue, r.leads ?? 0), currency);
    case 'roas':
      return formatRatio(r.roas);
    case 'impressions':
      return num(r.impressions);
    case 'clicks':
      return num(r.clicks);
    case 'ctr':
      return formatPercent(clickThroughRate(r.clicks, r.impressions));
    case 'started':
      return num(r.started);
    default:
      return '';
  }
}

/** An optional column: its figure, sortable like the others. */
function optional(
  id: OptionalColumn,
  value: (r: TableRow) => number | null,
  o: ColumnOptions,
): ColumnDef<TableRow> {
  const label = OPTIONAL_COLUMNS.find((c) => c.id === id)!.label;
  return {
    id,
    accessorFn: value,
    header: label,
    sortingFn: o.byValue,
    cell: ({ row }) => figureCell(id, row.original, o.currency),
  };
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
    optional('contacts', (r) => r.contacts, o),
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
    optional('costPerConversationStarted', (r) => r.costPerConversationStarted, o),
    {
      id: 'revenue',
      accessorKey: 'revenue',
      header: 'Revenue',
      sortingFn: byValue,
      cell: ({ row }) => (
        <MoneyWithOther amount={row.original.revenue} other={row.original.revenueOther} currency={currency} />
      ),
    },
    optional('revenuePerLead', (r) => revenuePerLead(r.revenue, r.leads ?? 0), o),
    {
      id: 'roas',
      accessorKey: 'roas',
      header: 'ROAS',
      sortingFn: byValue,
      cell: ({ row }) => formatRatio(row.original.roas),
    },
    optional('impressions', (r) => r.impressions, o),
    optional('clicks', (r) => r.clicks, o),
    optional('ctr', (r) => clickThroughRate(r.clicks, r.impressions), o),
    optional('started', (r) => r.started, o),
  ];
}
