import { formatMoney, formatOtherMoney } from '../../lib/format';

/** An amount in the report's currency; what came in other currencies shows as a mark and a tooltip. */
export function MoneyWithOther({
  amount,
  other,
  currency,
}: {
  amount: number | null;
  other: Record<string, number>;
  currency: string;
}) {
  const also = formatOtherMoney(other);
  return (
    <span title={also ? `Also ${also} in other currencies` : undefined}>
      {formatMoney(amount, currency)}
      {also && <span className="other-mark">*</span>}
    </span>
  );
}
