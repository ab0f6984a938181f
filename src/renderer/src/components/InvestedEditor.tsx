import { useEffect, useState } from 'react';
import type { Investment, ReportRange, SourceRow } from '../../../shared/contract';
import { formatDate, formatMoney } from '../lib/format';
import { validCustomRange } from '../lib/range';

export interface InvestInput {
  sourceId: string;
  amount: number;
  currency: string;
  from: string;
  to: string;
}

interface Props {
  sourceId: string;
  sourceName: string;
  /** What the table shows now for the range, used as the starting amount. */
  invested: number | null;
  investedFrom: SourceRow['investedFrom'];
  /** The range on screen: the period defaults to it (an entry for exactly that range). */
  range: ReportRange;
  currency: string;
  onSave: (input: InvestInput) => Promise<void>;
  onCancel: () => void;
  /** Saved manual entries of this source (newest first) and their removal; omitted when not available. */
  entries?: { load: () => Promise<Investment[]>; remove: (id: number) => Promise<void> } | undefined;
}

/**
 * Above this an amount is more likely a typo (an extra zero, cents typed as units) than a budget:
 * saving it asks once more.
 */
export const LARGE_INVESTED = 1_000_000;

/** Parses "1,234.50", "1234,5", "1 234" into a number; null when it is not an amount ≥ 0. */
export function parseAmount(text: string): number | null {
  let t = text.trim().replace(/[\s\u00a0']/g, '');
  if (!t) return null;
  const lastComma = t.lastIndexOf(',');
  const lastDot = t.lastIndexOf('.');
  // The later separator is the decimal one when both appear; a lone comma followed by 1–2 digits is decimal too.
  if (lastComma > lastDot) {
    t = /,\d{1,2}$/.test(t) || lastDot !== -1 ? t.replace(/\./g, '').replace(',', '.') : t.replace(/,/g, '');
  } else {
    t = t.replace(/,/g, '');
  }
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

export function InvestedEditor({
  sourceId,
  sourceName,
  invested,
  investedFrom,
  range,
  currency,
  onSave,
  onCancel,
  entries,
}: Props) {
  const [saved, setSaved] = useState<Investment[] | null>(null);
  useEffect(() => {
    if (!entries) return;
    let live = true;
    entries.load().then(
      (list) => live && setSaved(list),
      () => live && setSaved([]),
    );
    return () => {
      live = false;
    };
  }, [entries]);
  const [amount, setAmount] = useState(invested === null ? '' : String(Math.round(invested * 100) / 100));
  const [cur, setCur] = useState(currency);
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** The amount the user confirmed although it is large; typing another amount asks again. */
  const [confirmed, setConfirmed] = useState<number | null>(null);

  const value = parseAmount(amount);
  const needsConfirm = value !== null && value > LARGE_INVESTED && confirmed !== value;
  const rangeError = validCustomRange(from, to);
  const curError = /^[A-Z]{3}$/.test(cur) ? null : 'A three-letter currency code, such as USD';
  const problem = value === null ? 'Enter an amount of 0 or more' : (rangeError ?? curError);

  return (
    <form
      className="stack invested-editor"
      aria-label={`Invested in ${sourceName}`}
      onSubmit={async (e) => {
        e.preventDefault();
        if (problem || value === null || needsConfirm) return;
        setSaving(true);
        setError(null);
        try {
          await onSave({ sourceId, amount: value, currency: cur, from, to });
        } catch (err) {
          setError(err instanceof Error ? err.message : 'Could not save');
          setSaving(false);
        }
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      <p className="small muted">
        Invested in <strong>{sourceName}</strong>
      </p>
      {investedFrom === 'meta' && (
        <p className="hint">Synced from Meta. A manual amount overrides the synced spend on these days.</p>
      )}
      {investedFrom === 'imported' && (
        <p className="hint">
          Imported from a spend file. A manual amount overrides the imported spend on these days.
        </p>
      )}
      {investedFrom === 'mixed' && (
        <p className="hint">
          Synced or imported spend, partly entered by hand. A manual amount overrides it on these days.
        </p>
      )}
      <div className="row">
        <label className="field grow">
          <span>Amount</span>
          <input
            inputMode="decimal"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            // Typing replaces the amount shown rather than appending to it.
            onFocus={(e) => e.currentTarget.select()}
            aria-invalid={value === null}
            aria-describedby={needsConfirm ? 'invest-large' : undefined}
            data-testid="invest-amount"
          />
        </label>
        <label className="field currency-field">
          <span>Currency</span>
          <input
            value={cur}
            maxLength={3}
            onChange={(e) => setCur(e.target.value.toUpperCase())}
            aria-invalid={curError !== null}
            data-testid="invest-currency"
          />
        </label>
      </div>
      <div className="row">
        <label className="field">
          <span>From</span>
          <input
            type="date"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            data-testid="invest-from"
          />
        </label>
        <label className="field">
          <span>To</span>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="invest-to" />
        </label>
      </div>
      <p className="hint">
        The amount is spread evenly over the days of the period; on overlapping days the newest entry wins.
      </p>
      {saved && saved.length > 0 && (
        <div className="stack saved-entries">
          <span className="small muted">Saved entries</span>
          <ul className="plain-list small">
            {saved.map((e) => (
              <li key={e.id} className="row between">
                <span>
                  {formatMoney(e.amount, e.currency)} · {formatDate(e.from)} – {formatDate(e.to)}
                </span>
                <button
                  type="button"
                  className="button ghost small"
                  aria-label={`Delete the entry of ${formatMoney(e.amount, e.currency)} from ${e.from} to ${e.to}`}
                  onClick={async () => {
                    await entries?.remove(e.id);
                    setSaved(saved.filter((x) => x.id !== e.id));
                  }}
                >
                  Delete
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {(error || (problem && amount !== '')) && <p className="hint error-text">{error ?? problem}</p>}
      {needsConfirm && !problem && (
        <p className="notice warn row between" id="invest-large" role="alert" data-testid="invest-large">
          <span>
            {formatMoney(value, cur)} is more than {formatMoney(LARGE_INVESTED, cur)}. Is the amount right?
          </span>
          <button type="button" className="button small" onClick={() => setConfirmed(value)}>
            Yes, it is
          </button>
        </p>
      )}
      <div className="row end">
        <button type="button" className="button ghost" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="button primary"
          disabled={problem !== null || needsConfirm || saving}
        >
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
