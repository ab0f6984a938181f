import { useState } from 'react';
import type { SpendImportResult } from '../../../../shared/contract';
import { formatInt } from '../../lib/format';
import { useClient, useDashboard } from '../../state/context';
import { ErrorLine } from './common';
import { useAction } from './useLoad';

/** The largest spend file the core takes (the contract's limit on `spend.import`'s text). */
const MAX_BYTES = 4_000_000;

/**
 * Daily spend of sources Meta does not sync, from a CSV chosen with the system's file picker (the page
 * reads it, so this works the same in the app and in browser mode). The same as `insights spend import`.
 */
export function SpendImportPanel() {
  const client = useClient();
  const refresh = useDashboard((s) => s.reload);
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<(SpendImportResult & { file: string }) | null>(null);
  const [run, action] = useAction();
  const tooBig = file !== null && file.size > MAX_BYTES;
  return (
    <section className="panel" aria-labelledby="spend-import-title">
      <h2 id="spend-import-title">Import spend</h2>
      <p className="muted small">
        What you spent on sources Meta does not sync — Google Ads sending people to a wa.me link, TikTok, a
        flyer with a QR code — as a CSV with the columns <code>date, source_id, amount, currency</code> and an
        optional <code>note</code>, one line per day: <code>2026-03-01,kw:flyer,25.00,EUR</code>. Use the
        source ids of the source table. A day you also entered by hand keeps the manual amount; importing a
        file again only changes the days whose amounts changed. The same as <code>insights spend import</code>
        .
      </p>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!file || tooBig) return;
          setResult(null);
          const ok = await run(async () => {
            const r = await client.api['spend.import']({ csv: await file.text(), fileName: file.name });
            setResult({ ...r, file: file.name });
          });
          if (ok) refresh();
        }}
      >
        <div className="row wrap-row">
          <label className="field grow">
            <span>Spend file (CSV)</span>
            <input
              type="file"
              accept=".csv,text/csv"
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setResult(null);
                action.clear();
              }}
              aria-invalid={tooBig}
              data-testid="spend-file"
            />
          </label>
          <button
            type="submit"
            className="button primary align-end"
            disabled={!file || tooBig || action.busy}
            data-testid="spend-import"
          >
            {action.busy ? 'Importing…' : 'Import spend'}
          </button>
        </div>
        {tooBig && <p className="hint error-text">This file is larger than 4 MB: split it by month.</p>}
        <ErrorLine error={action.error} />
      </form>
      {result && <SpendImportSummary result={result} />}
    </section>
  );
}

/** "1 line", "3 lines". */
const count = (n: number, noun: string) => `${formatInt(n)} ${noun}${n === 1 ? '' : 's'}`;

function SpendImportSummary({ result }: { result: SpendImportResult & { file: string } }) {
  if (result.errors.length > 0)
    return (
      <div className="spend-errors" role="alert" data-testid="spend-import-errors">
        <p className="small error-text">
          <strong>Nothing was imported</strong> from {result.file}: fix{' '}
          {result.errors.length === 1 ? 'this line' : 'these lines'} and import the file again.
        </p>
        <ul className="plain-list small error-text">
          {result.errors.map((e) => (
            <li key={`${e.line}:${e.reason}`}>
              Line {e.line}: {e.reason}
            </li>
          ))}
        </ul>
      </div>
    );
  return (
    <p className="small" role="status" data-testid="spend-import-summary">
      <strong>{result.file}</strong>: {count(result.lines, 'line')} for{' '}
      {count(result.sources.length, 'source')}, {result.from} – {result.to}. {count(result.added, 'day')}{' '}
      added, {formatInt(result.replaced)} replaced, {formatInt(result.unchanged)} unchanged.
    </p>
  );
}
