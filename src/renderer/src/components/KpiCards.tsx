import { memo } from 'react';
import type { PaidTotals, Report, Totals } from '../../../shared/contract';
import { previousNote } from '../lib/comparison';
import {
  type Change,
  formatChange,
  formatCompact,
  formatInt,
  formatMoney,
  formatOtherMoney,
  formatPercent,
  formatRange,
  formatRatio,
} from '../lib/format';

interface CardDef {
  key: keyof Totals;
  label: string;
  format: (t: Totals) => string;
  exact?: (t: Totals) => string;
  change: 'relative' | 'points';
  /** Which direction is good news; 'neutral' for spend. */
  good: 'up' | 'down' | 'neutral';
  other?: (t: Totals) => string;
  /** The same figure over the sources with an Invested amount only. */
  paid?: (p: PaidTotals, currency: string) => string;
  help: string;
  /** Shown only when the report has the figure (Meta's conversations started: ad workspaces only). */
  onlyWith?: (t: Totals) => boolean;
  /** Said instead of a change for a figure that is not compared. */
  noChange?: string;
}

const CARDS: CardDef[] = [
  {
    key: 'conversations',
    label: 'Conversations',
    format: (t) => formatCompact(t.conversations),
    exact: (t) => formatInt(t.conversations),
    change: 'relative',
    good: 'up',
    help: 'Conversations started in the range',
  },
  {
    key: 'leads',
    label: 'Leads',
    format: (t) => formatCompact(t.leads),
    exact: (t) => formatInt(t.leads),
    change: 'relative',
    good: 'up',
    help: 'Conversations in which the conversion event occurred',
  },
  {
    key: 'conversionRate',
    label: 'Converted',
    format: (t) => formatPercent(t.conversionRate),
    change: 'points',
    good: 'up',
    help: 'Leads ÷ conversations',
  },
  {
    key: 'invested',
    label: 'Invested',
    format: (t) => formatMoney(t.invested, t.currency),
    change: 'relative',
    good: 'neutral',
    other: (t) => formatOtherMoney(t.investedOther),
    help: 'Synced Meta spend and manual entries for the range',
  },
  {
    key: 'costPerLead',
    label: 'Conversion cost',
    format: (t) => formatMoney(t.costPerLead, t.currency),
    paid: (p, currency) => formatMoney(p.costPerLead, currency),
    change: 'relative',
    good: 'down',
    help: 'Invested ÷ leads',
  },
  {
    key: 'costPerConversationStarted',
    label: 'Cost per conversation started',
    format: (t) => formatMoney(t.costPerConversationStarted ?? null, t.currency),
    exact: (t) =>
      t.metaConversationsStarted == null
        ? ''
        : `${formatInt(t.metaConversationsStarted)} conversations started (Meta)`,
    change: 'relative',
    good: 'down',
    onlyWith: (t) => t.metaConversationsStarted != null,
    noChange: "Meta's count",
    help: "Invested ÷ Meta's messaging conversations started, over the ads Meta reports them for",
  },
  {
    key: 'revenue',
    label: 'Revenue',
    format: (t) => formatMoney(t.revenue, t.currency),
    change: 'relative',
    good: 'up',
    other: (t) => formatOtherMoney(t.revenueOther),
    help: 'Revenue reported with external conversion events',
  },
  {
    key: 'roas',
    label: 'ROAS',
    format: (t) => formatRatio(t.roas),
    paid: (p) => formatRatio(p.roas),
    change: 'relative',
    good: 'up',
    help: 'Revenue ÷ invested',
  },
];

const NO_CHANGE: Change = { text: null, direction: 'flat' };

function tone(change: Change, good: CardDef['good']): 'good' | 'bad' | 'neutral' {
  if (good === 'neutral' || change.direction === 'flat') return 'neutral';
  return (change.direction === 'up') === (good === 'up') ? 'good' : 'bad';
}

export const KpiCards = memo(function KpiCards({ report }: { report: Report | null }) {
  return (
    <section className="kpis" aria-label="Overall results">
      {CARDS.filter((c) => !c.onlyWith || (report !== null && c.onlyWith(report.totals))).map((c) => {
        const t = report?.totals;
        const p = report?.previous;
        const current = t ? (t[c.key] as number | null) : null;
        const previous = p ? (p[c.key] as number | null) : null;
        const note = p ? previousNote(p) : null;
        const change = note?.compare === false ? NO_CHANGE : formatChange(current, previous, c.change);
        const paid = t && report && c.paid && report.paid.sources > 0 ? c.paid(report.paid, t.currency) : '';
        const other = t && c.other ? c.other(t) : '';
        const prevText = p ? `${c.format(p)} in ${formatRange(p.range.from, p.range.to)}` : '';
        return (
          <div className="kpi" key={c.key} data-testid={`kpi-${c.key}`} title={c.help}>
            <div className="kpi-label">{c.label}</div>
            <div
              className="kpi-value num"
              title={t && c.exact ? c.exact(t) : undefined}
              data-testid={`kpi-${c.key}-value`}
            >
              {t ? c.format(t) : <span className="skeleton-text" />}
            </div>
            {other && <div className="kpi-other">+ {other}</div>}
            {paid && report && (
              <div
                className="kpi-other"
                data-testid={`kpi-${c.key}-paid`}
                title={`Over the ${formatInt(report.paid.sources)} source${report.paid.sources === 1 ? '' : 's'} with an Invested amount only (${formatInt(report.paid.leads)} leads)`}
              >
                Paid sources: {paid}
              </div>
            )}
            <div
              className={`kpi-change ${tone(change, c.good)}`}
              data-testid={`kpi-${c.key}-change`}
              title={
                note?.title ??
                (prevText
                  ? `${p?.compare === 'year' ? 'A year back' : 'Previous period'}: ${prevText}`
                  : undefined)
              }
            >
              {change.text ? (
                <>
                  <span aria-hidden="true">
                    {change.direction === 'up' ? '▲' : change.direction === 'down' ? '▼' : '•'}
                  </span>{' '}
                  {change.text}{' '}
                  <span className="muted">{p?.compare === 'year' ? 'vs last year' : 'vs previous'}</span>
                </>
              ) : (
                <span className="muted">{p ? (c.noChange ?? note?.text ?? 'no comparison') : '\u00a0'}</span>
              )}
            </div>
          </div>
        );
      })}
    </section>
  );
});
