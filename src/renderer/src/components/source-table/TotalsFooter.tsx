import type { TableRow } from '../../lib/sources';
import { figureCell } from './columns';

/** The totals row under the table, one cell per shown column of columns.tsx (in the same order). */
export function TotalsFooter({
  totals: t,
  currency,
  columns,
}: {
  totals: TableRow;
  currency: string;
  /** Ids of the shown columns after the name. */
  columns: string[];
}) {
  return (
    <tfoot>
      <tr data-testid="totals-row">
        <th scope="row" className="col-name" data-testid="totals-label">
          {t.name}
        </th>
        {columns.map((id) => (
          <td key={id} className="num">
            {figureCell(id, t, currency)}
          </td>
        ))}
      </tr>
    </tfoot>
  );
}
