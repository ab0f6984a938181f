import { formatInt, formatMoney, formatPercent, formatRatio } from '../../lib/format';
import type { TableRow } from '../../lib/sources';

/** The totals row under the table, one cell per column of columns.tsx (in the same order). */
export function TotalsFooter({ totals: t, currency }: { totals: TableRow; currency: string }) {
  return (
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
  );
}
