import type { TableRow } from '../../lib/sources';
import { PencilIcon } from '../Icons';
import { InvestedTag } from '../InvestedTag';
import { MoneyWithOther } from './Money';

/** The Invested cell: where the figure comes from, the figure, and the pencil that opens the editor. */
export function InvestedCell({
  row,
  currency,
  onEdit,
}: {
  row: TableRow;
  currency: string;
  onEdit: (() => void) | undefined;
}) {
  return (
    <span className="invested-cell">
      <InvestedTag from={row.investedFrom} />
      <MoneyWithOther amount={row.invested} other={row.investedOther} currency={currency} />
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
