import { useState } from 'react';
import type { ConversionSendResult } from '../../../../shared/contract';
import { formatInt } from '../../lib/format';
import { useClient } from '../../state/context';
import { ErrorLine } from './common';
import { useAction } from './useLoad';

/** Dry run (the exact requests, nothing sent) and Send now (a job, shown in the jobs panel). */
export function SendView({
  testEventCode,
  blocked,
  onSent,
}: {
  testEventCode: string | null;
  /** Why Send now is not offered (off, or the collector sends); null when it is. */
  blocked: string | null;
  onSent: () => void;
}) {
  const client = useClient();
  const [run, action] = useAction();
  const [result, setResult] = useState<ConversionSendResult | null>(null);
  const send = (dryRun: boolean) =>
    void run(async () => {
      setResult(null);
      setResult(await client.api['conversions.send'](dryRun ? { dryRun } : {}));
      if (!dryRun) onSent();
    });
  return (
    <div className="stack">
      <div className="row">
        <button type="button" className="button" disabled={action.busy} onClick={() => send(true)}>
          Dry run
        </button>
        <button
          type="button"
          className="button primary"
          disabled={action.busy || blocked !== null}
          aria-describedby={blocked ? 'send-blocked' : undefined}
          onClick={() => send(false)}
        >
          {action.busy ? 'Working…' : 'Send now'}
        </button>
        {testEventCode && <span className="muted small">with test event code {testEventCode}</span>}
      </div>
      {blocked && (
        <p className="hint" id="send-blocked">
          {blocked}
        </p>
      )}
      <ErrorLine error={action.error} />
      {result && <SendResult result={result} />}
    </div>
  );
}

function SendResult({ result: r }: { result: ConversionSendResult }) {
  const count = (n: number, what: string) => `${formatInt(n)} ${what}${n === 1 ? '' : 's'}`;
  const requests = count(r.batches, 'request');
  return (
    <div className="stack" data-testid="conversions-send-result">
      <p className="small" role="status">
        {r.dryRun
          ? r.requests.length === 0
            ? 'Dry run: nothing is waiting to be sent.'
            : `Dry run: ${count(r.sent, 'conversion')} would be sent in ${requests}. Nothing was sent.`
          : `Sent ${count(r.sent, 'conversion')} in ${requests}.`}
      </p>
      {r.lastError && <p className="notice danger">{r.lastError}</p>}
      {r.dryRun && r.requests.length > 0 && (
        <pre className="code-block dry-run" data-testid="conversions-dry-run">
          {JSON.stringify(
            r.requests.map((q) => ({ POST: q.path, body: q.body })),
            null,
            2,
          )}
        </pre>
      )}
    </div>
  );
}
