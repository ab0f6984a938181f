import { createContext, useEffect, useMemo, useState } from 'react';
import type { ResultOf, SourceRow, TemplateDelivery } from '../../../shared/contract';
import { costPer, shareOf } from '../../../shared/rates';
import { errorText } from '../lib/errors';
import { formatDate, formatInt, formatMoney, formatPercent, formatPercentWhole } from '../lib/format';
import { toRangeInput } from '../lib/range';
import { useClient, useDashboard } from '../state/context';
import { zoneArg } from '../state/store';

// A template campaign's delivery (docs/metrics.md, "Template delivery"): the drill-down's funnel, errors,
// cost and per-bucket chart, and the one-line summary under a template row of the source table.

type Delivery = ResultOf<'sources.delivery'>;

/** Delivery of the range's templates by source id, for the source table's template rows. */
export const DeliveryContext = createContext<ReadonlyMap<string, TemplateDelivery> | null>(null);

/** Asks `sources.delivery` for the dashboard's number, range and timezone (one template, or all). */
export function useDelivery(
  source: string | null,
  enabled = true,
): { data: Delivery | null; error: string | null } {
  const client = useClient();
  const phoneId = useDashboard((s) => s.phoneId);
  const range = useDashboard((s) => s.range);
  const timezone = useDashboard((s) => s.timezone);
  // Asked once per report (a new number, range or timezone brings a new report; so does an import or a
  // sync, which may bring new statuses), not also when the selection changes: that earlier call answered
  // for a report not yet on screen, and it held the report's own call up on the read lane.
  const report = useDashboard((s) => s.report);
  const [data, setData] = useState<Delivery | null>(null);
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the selection is read when `report` changes
  useEffect(() => {
    if (!phoneId || !enabled) return;
    let live = true;
    setError(null);
    client.api['sources.delivery']({
      phone: phoneId,
      range: toRangeInput(range),
      ...zoneArg(timezone),
      ...(source ? { source } : {}),
    }).then(
      (d) => live && setData(d),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [client, source, enabled, report]);
  return { data, error };
}

/** Delivery of every template of the report's range, asked only when the report has template rows. */
export function useTemplateDeliveries(
  sources: readonly SourceRow[] | null,
): ReadonlyMap<string, TemplateDelivery> | null {
  const has = sources?.some((r) => r.kind === 'outgoing') ?? false;
  const { data } = useDelivery(null, has);
  return useMemo(
    () => (has && data ? new Map(data.templates.map((d) => [d.sourceId, d])) : null),
    [has, data],
  );
}

const STEPS = [
  { key: 'sent', label: 'Sent' },
  { key: 'delivered', label: 'Delivered' },
  { key: 'read', label: 'Read' },
  { key: 'replied', label: 'Replied' },
  { key: 'failed', label: 'Failed' },
] as const;

/** "1,200 sent · 96% delivered · 71% read · 2% failed": under a template row; the exact figures in its title. */
export function DeliveryLine({ d }: { d: TemplateDelivery | undefined }) {
  if (!d || d.sent === 0) return null;
  const title = `${formatInt(d.sent)} sent, ${formatInt(d.delivered)} delivered (${formatPercent(d.deliveredRate)}), ${formatInt(d.read)} read (${formatPercent(d.readRate)}), ${formatInt(d.failed)} failed, ${formatInt(d.replied)} replied`;
  return (
    <span className="delivery-line muted small" title={title} data-testid="delivery-line">
      {formatInt(d.sent)} sent · {formatPercentWhole(d.deliveredRate)} delivered ·{' '}
      {formatPercentWhole(d.readRate)} read
      {d.failed > 0 && (
        <span className="error-text"> · {formatPercentWhole(shareOf(d.failed, d.sent))} failed</span>
      )}
    </span>
  );
}

/** The drill-down's delivery section of one template source. */
export function TemplateDeliveryPanel({
  sourceId,
  row,
  currency,
}: {
  sourceId: string;
  row: SourceRow | undefined;
  currency: string;
}) {
  const { data, error } = useDelivery(sourceId);
  if (error) return <p className="hint error-text">{error}</p>;
  if (!data) return <p className="empty-hint">Loading the delivery…</p>;
  const d = data.templates[0];
  if (!d || (d.sent === 0 && d.replied === 0))
    return <p className="hint">No sends of this template recorded in the range (send proxy or send log).</p>;
  const invested = row?.invested ?? null;
  return (
    <section className="delivery" aria-label="Delivery" data-testid="template-delivery">
      <ol className="delivery-steps">
        {STEPS.map((s) => {
          const n = d[s.key];
          return (
            <li key={s.key} className={`delivery-step step-${s.key}`}>
              <span className="delivery-label">{s.label}</span>
              <span className="delivery-count">{formatInt(n)}</span>
              <span className="muted small">{s.key === 'sent' ? '' : formatPercent(shareOf(n, d.sent))}</span>
              <span className="bar" aria-hidden="true">
                <span className="bar-fill" style={{ width: `${Math.min(100, shareOf(n, d.sent) * 100)}%` }} />
              </span>
            </li>
          );
        })}
      </ol>
      <p className="muted small">
        {d.pending > 0 && `${formatInt(d.pending)} without an outcome yet. `}
        {d.billable > 0
          ? `${formatInt(d.billable)} billable (${Object.entries(d.categories)
              .map(([c, n]) => `${c} ${formatInt(n)}`)
              .join(', ')}). `
          : ''}
        {invested === null ? (
          'Cost: WhatsApp statuses carry no price — enter the amount as Invested or import it (Settings → Import).'
        ) : (
          <>
            Cost {formatMoney(invested, currency)}: {formatMoney(costPer(invested, d.delivered), currency)}{' '}
            per delivered, {formatMoney(costPer(invested, d.replied), currency)} per reply.
          </>
        )}
      </p>
      {d.errors.length > 0 && (
        <ul className="plain-list small" aria-label="Top errors">
          {d.errors.map((e) => (
            <li key={e.code}>
              <span className="kind-badge warn">{e.code}</span> {e.title ?? 'Unknown error'} ·{' '}
              {formatInt(e.messages)} {e.messages === 1 ? 'message' : 'messages'}
            </li>
          ))}
        </ul>
      )}
      {data.series && <DeliveryChart series={data.series} granularity={data.granularity} />}
    </section>
  );
}

/** Sends and replies per bucket: two bars each, the exact figures in each bucket's tooltip. */
function DeliveryChart({
  series,
  granularity,
}: {
  series: NonNullable<Delivery['series']>;
  granularity: Delivery['granularity'];
}) {
  const W = 320;
  const H = 64;
  const max = Math.max(1, ...series.map((b) => Math.max(b.sent, b.replied)));
  const step = W / series.length;
  const bar = Math.max(1, step / 2 - 1);
  const per = granularity === 'day' ? 'day' : granularity === 'week' ? 'week' : 'month';
  return (
    <figure className="delivery-chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Sent and replied per ${per}`}
      >
        {series.map((b, i) => (
          <g key={b.bucket}>
            <title>
              {`${formatDate(b.bucket)}${b.to !== b.bucket ? ` – ${formatDate(b.to)}` : ''}: ${formatInt(b.sent)} sent, ${formatInt(b.delivered)} delivered, ${formatInt(b.read)} read, ${formatInt(b.failed)} failed, ${formatInt(b.replied)} replied`}
            </title>
            <rect x={i * step} y={0} width={step} height={H} fill="transparent" />
            <rect
              className="sent-bar"
              x={i * step}
              y={H - (b.sent / max) * H}
              width={bar}
              height={(b.sent / max) * H}
            />
            <rect
              className="replied-bar"
              x={i * step + bar}
              y={H - (b.replied / max) * H}
              width={bar}
              height={(b.replied / max) * H}
            />
          </g>
        ))}
      </svg>
      <figcaption className="muted small row">
        <span className="swatch swatch-secondary" /> Sent <span className="swatch swatch-accent" /> Replied ·
        per {per}
      </figcaption>
    </figure>
  );
}
