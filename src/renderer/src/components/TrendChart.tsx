import {
  CategoryScale,
  Chart,
  Filler,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { memo, useEffect, useRef } from 'react';
import type { Report } from '../../../shared/contract';
import { formatInt } from '../lib/format';
import { bucketDates, bucketLabel, partialNote, segmentDash } from '../lib/trend';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler, Tooltip);

const GRANULARITY = { day: 'Daily', week: 'Weekly', month: 'Monthly' } as const;

interface Palette {
  accent: string;
  muted: string;
  grid: string;
  text: string;
}

// Reading computed styles forces a style recalculation: once per theme, not once per update.
const palettes = new Map<string, Palette>();
function palette(themeKey: string): Palette {
  let p = palettes.get(themeKey);
  if (!p) {
    const cs = getComputedStyle(document.documentElement);
    const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
    p = {
      accent: v('--accent', '#0e7c6b'),
      muted: v('--chart-secondary', '#a4acb8'),
      grid: v('--border', '#e3e6eb'),
      text: v('--text-muted', '#5f6672'),
    };
    palettes.set(themeKey, p);
  }
  return p;
}

// Monotone cubic interpolation never overshoots the data between points (a count never dips below 0
// or peaks above its neighbours on screen): https://www.chartjs.org/docs/latest/charts/line.html#cubicinterpolationmode
const LINE = { borderWidth: 2, cubicInterpolationMode: 'monotone' as const };

/** Conversations and leads per bucket. The chart is updated in place so a refresh never re-mounts it. */
export const TrendChart = memo(function TrendChart({
  report,
  themeKey,
}: {
  report: Report | null;
  themeKey: string;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart<'line'> | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let ctx: CanvasRenderingContext2D | null = null;
    try {
      ctx = canvas.getContext('2d');
    } catch {
      ctx = null;
    }
    if (!ctx) return; // no canvas (tests): the table below carries the data
    const chart = new Chart(ctx, {
      type: 'line',
      data: { labels: [], datasets: [] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { display: false }, tooltip: { displayColors: true, boxPadding: 4 } },
        scales: {
          // sampleSize: measuring every label's width dominated an update with a year of days.
          x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 16, sampleSize: 8 } },
          y: {
            beginAtZero: true,
            ticks: { precision: 0, maxTicksLimit: 5, sampleSize: 8 },
            border: { display: false },
          },
        },
      },
    });
    chartRef.current = chart;
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart || !report) return;
    const { accent, muted, grid, text } = palette(themeKey);
    const { series, seriesGranularity: g } = report;
    chart.data.labels = series.map((p) => bucketLabel(p, g));
    const segment = { borderDash: segmentDash(series) };
    const pointRadius = series.length > 40 ? 0 : 2;
    chart.data.datasets = [
      {
        ...LINE,
        label: 'Conversations',
        data: series.map((p) => p.conversations),
        borderColor: muted,
        backgroundColor: muted,
        pointRadius,
        segment,
      },
      {
        ...LINE,
        label: 'Leads',
        data: series.map((p) => p.leads),
        borderColor: accent,
        backgroundColor: `${accent}22`,
        fill: 'origin',
        pointRadius,
        segment,
      },
    ];
    const tooltip = chart.options.plugins!.tooltip!;
    tooltip.callbacks = {
      ...tooltip.callbacks,
      title: (items) => {
        const p = series[items[0]?.dataIndex ?? -1];
        return p ? bucketDates(p) : '';
      },
      footer: (items) => {
        const p = series[items[0]?.dataIndex ?? -1];
        return (p && partialNote(p, g)) ?? '';
      },
    };
    const scales = chart.options.scales as Record<
      string,
      { grid?: { color?: string }; ticks?: { color?: string } }
    >;
    for (const s of Object.values(scales)) {
      if (s.grid) s.grid.color = grid;
      if (s.ticks) s.ticks.color = text;
    }
    chart.update('none');
  }, [report, themeKey]);

  const total = report?.series.reduce((a, p) => a + p.conversations, 0) ?? 0;
  return (
    <section className="panel trend" aria-labelledby="trend-title">
      <header className="panel-head">
        <h2 id="trend-title">Trend</h2>
        <div className="legend" aria-hidden="true">
          <span className="legend-item">
            <i className="swatch swatch-secondary" /> Conversations
          </span>
          <span className="legend-item">
            <i className="swatch swatch-accent" /> Leads
          </span>
          {report?.series.some((p) => p.partial) && (
            <span
              className="legend-item"
              data-testid="trend-partial-legend"
              title="Dashed: a period the range or today cuts short"
            >
              <i className="swatch swatch-dashed" /> partial
            </span>
          )}
        </div>
        {report && <span className="muted small">{GRANULARITY[report.seriesGranularity]}</span>}
      </header>
      <div className="chart-box">
        <canvas ref={canvasRef} role="img" aria-label="Conversations and leads over time" />
        {report && total === 0 && <div className="chart-empty">No conversations in this range</div>}
      </div>
      {report && (
        <table className="sr-only">
          <caption>Conversations and leads per {report.seriesGranularity}</caption>
          <thead>
            <tr>
              <th>Period</th>
              <th>Conversations</th>
              <th>Leads</th>
            </tr>
          </thead>
          <tbody>
            {report.series.map((p) => (
              <tr key={p.bucket} data-testid="trend-bucket" data-partial={p.partial}>
                <td>
                  {bucketLabel(p, report.seriesGranularity)} ({bucketDates(p)})
                  {p.partial ? `, ${partialNote(p, report.seriesGranularity)}` : ''}
                </td>
                <td>{formatInt(p.conversations)}</td>
                <td>{formatInt(p.leads)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
});
