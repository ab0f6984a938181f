import { flexRender, type Table } from '@tanstack/react-table';
import type { TableRow } from '../../lib/sources';

/** The column headers: each a button that sorts by its column, with aria-sort for screen readers. */
export function SortableHead({ table }: { table: Table<TableRow> }) {
  return (
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
                <button type="button" className="sort-button" onClick={h.column.getToggleSortingHandler()}>
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
  );
}
