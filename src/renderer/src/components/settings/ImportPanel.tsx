import { useState } from 'react';
import type { ImportSummary } from '../../../../shared/contract';
import { formatInt } from '../../lib/format';
import { useClient, useDashboard } from '../../state/context';
import { ErrorLine } from './common';
import { useAction } from './useLoad';

/** Past data from files on this computer (the core reads them): webhook NDJSON/JSON(.gz), event CSVs, send logs. */
export function ImportPanel() {
  const client = useClient();
  const refresh = useDashboard((s) => s.reload);
  const [paths, setPaths] = useState('');
  const [channel, setChannel] = useState('');
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const [run, action] = useAction();
  const files = paths
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean);
  return (
    <section className="panel" aria-labelledby="import-title">
      <h2 id="import-title">Import files</h2>
      <p className="muted small">
        Webhook payloads (NDJSON or JSON, also .gz), external events (CSV) or a send log (CSV/NDJSON). The
        same as <code>insights import</code>; progress shows under Jobs, and importing a file twice adds
        nothing twice.
      </p>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setSummary(null);
          const ok = await run(async () =>
            setSummary(
              await client.api['import.files']({
                files,
                ...(channel.trim() ? { channel: channel.trim() } : {}),
              }),
            ),
          );
          if (ok) refresh();
        }}
      >
        <label className="field">
          <span>File paths on this computer, one per line</span>
          <textarea
            className="textarea"
            rows={3}
            value={paths}
            onChange={(e) => setPaths(e.target.value)}
            placeholder="/home/me/exports/webhooks-2026-03.ndjson.gz"
          />
        </label>
        <div className="row wrap-row">
          <label className="field">
            <span>Phone number id (On-Premise payloads only)</span>
            <input value={channel} onChange={(e) => setChannel(e.target.value)} />
          </label>
          <button
            type="submit"
            className="button primary align-end"
            disabled={files.length === 0 || action.busy}
          >
            {action.busy ? 'Importing…' : 'Import'}
          </button>
        </div>
        <ErrorLine error={action.error} />
      </form>
      {summary && (
        <div className="stack" role="status">
          <ul className="plain-list small">
            {summary.files.map((f) => (
              <li key={f.file}>
                <strong>{f.file}</strong> ({f.kind}): {formatInt(f.messages)} messages,{' '}
                {formatInt(f.statuses)} statuses, {formatInt(f.events)} events, {formatInt(f.outgoing)} sends
                {f.duplicatePayloads + f.duplicateEvents > 0 &&
                  `, ${formatInt(f.duplicatePayloads + f.duplicateEvents)} already known`}
                {f.bad > 0 && <span className="error-text">, {formatInt(f.bad)} bad lines</span>}
              </li>
            ))}
          </ul>
          {summary.errors.length > 0 && (
            <ul className="plain-list small error-text">
              {summary.errors.slice(0, 10).map((e) => (
                <li key={`${e.file}:${e.line}`}>
                  {e.file}:{e.line} — {e.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
