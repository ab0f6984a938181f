import { useEffect, useState } from 'react';
import type { ConversionStatus } from '../../../shared/contract';
import { restOf } from '../../../shared/source-keys';
import { formatInt } from '../lib/format';
import { useClient, useDashboard } from '../state/context';

/**
 * "Sent to Meta: N" for an ad source in the drill-down (conversions whose event is in the dashboard's range),
 * with pending and failed when there are any. Nothing when sending is off or the source is not an ad.
 */
export function SentToMeta({ sourceId }: { sourceId: string }) {
  const client = useClient();
  const range = useDashboard((s) => s.report?.range ?? null);
  const setView = useDashboard((s) => s.setView);
  const isAd = restOf(sourceId, 'ad') !== null;
  const from = range?.from;
  const to = range?.to;
  const [status, setStatus] = useState<ConversionStatus | null>(null);

  useEffect(() => {
    setStatus(null);
    if (!isAd) return;
    let live = true;
    client.api['conversions.status']({
      source: sourceId,
      ...(from && to ? { range: { from, to } } : {}),
    }).then(
      (s) => live && setStatus(s),
      // A secondary line: without an answer the drill-down simply does not show it.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, sourceId, isAd, from, to]);

  if (!status?.enabled) return null;
  const more = [
    status.pending > 0 ? `${formatInt(status.pending)} pending` : null,
    status.failed > 0 ? `${formatInt(status.failed)} failed` : null,
  ].filter(Boolean);
  return (
    <p className="small sent-to-meta" data-testid="sent-to-meta">
      Sent to Meta: <strong>{formatInt(status.sent)}</strong>
      {more.length > 0 && <span className="muted"> · {more.join(' · ')}</span>} ·{' '}
      <button type="button" className="link-button" onClick={() => setView('settings', 'conversions')}>
        Details
      </button>
    </p>
  );
}
