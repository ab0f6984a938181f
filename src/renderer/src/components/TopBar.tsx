import { memo, useState } from 'react';
import { ALL_NUMBERS, ALL_NUMBERS_NAME, isAllNumbers } from '../../../shared/all-numbers';
import type { PhoneNumber } from '../../../shared/contract';
import { offersAllNumbers } from '../lib/all-numbers';
import { formatAgo, formatRange } from '../lib/format';
import { CALENDAR_PRESETS, PRESETS, type RangeSelection, validCustomRange } from '../lib/range';
import { useDashboard } from '../state/context';
import type { ThemePref } from '../state/store';
import { ActivityIcon, ChevronDown, GearIcon, MonitorIcon, MoonIcon, SunIcon } from './Icons';
import { Popover } from './Popover';

/** Display numbers arrive as digits ("493012345678"): show them as international numbers. */
export const formatPhone = (display: string | null, id: string): string =>
  display ? (/^\d+$/.test(display) ? `+${display}` : display) : id;

export const phoneLabel = (p: Pick<PhoneNumber, 'id' | 'display' | 'name'>): string =>
  isAllNumbers(p.id) ? ALL_NUMBERS_NAME : [formatPhone(p.display, p.id), p.name].filter(Boolean).join(' · ');

export function TopBar({ onToggleJobs, jobsOpen }: { onToggleJobs: () => void; jobsOpen: boolean }) {
  const view = useDashboard((s) => s.view);
  const setView = useDashboard((s) => s.setView);
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Insights</span>
      </div>
      <WorkspaceSwitcher />
      {view === 'dashboard' && (
        <>
          <PhonePicker />
          <RangePicker />
          <TimezonePicker />
        </>
      )}
      {view === 'overview' && <RangePicker />}
      <div className="topbar-spacer" />
      <SyncStatus onClick={onToggleJobs} open={jobsOpen} />
      <ThemeToggle />
      <button
        type="button"
        className={`icon-button ${view === 'settings' ? 'active' : ''}`}
        aria-label={view === 'settings' ? 'Back to the dashboard' : 'Settings'}
        aria-pressed={view === 'settings'}
        title="Settings"
        onClick={() => setView(view === 'settings' ? 'dashboard' : 'settings')}
      >
        <GearIcon />
      </button>
    </header>
  );
}

/** The select's value for the agency overview (not a valid workspace name, so it never clashes). */
const OVERVIEW = ':overview';

function WorkspaceSwitcher() {
  const workspaces = useDashboard((s) => s.workspaces);
  const workspace = useDashboard((s) => s.workspace);
  const view = useDashboard((s) => s.view);
  const setView = useDashboard((s) => s.setView);
  const openWorkspace = useDashboard((s) => s.openWorkspace);
  const names = workspaces.some((w) => w.name === workspace)
    ? workspaces
    : [...workspaces, { name: workspace, isDemo: workspace === 'demo', sizeBytes: 0, modifiedAt: null }];
  return (
    <label className="field-inline">
      <span className="sr-only">Workspace</span>
      <select
        className="select"
        value={view === 'overview' ? OVERVIEW : workspace}
        onChange={(e) =>
          e.target.value === OVERVIEW ? setView('overview') : void openWorkspace(e.target.value)
        }
        aria-label="Workspace"
        data-testid="workspace-select"
      >
        <option value={OVERVIEW}>Overview</option>
        {names.map((w) => (
          <option key={w.name} value={w.name}>
            {w.isDemo ? `${w.name} (demo data)` : w.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function PhonePicker() {
  const phones = useDashboard((s) => s.phones);
  const phoneId = useDashboard((s) => s.phoneId);
  const setPhone = useDashboard((s) => s.setPhone);
  if (!phones || phones.length === 0) return null;
  return (
    <select
      className="select select-phone"
      value={phoneId ?? ''}
      onChange={(e) => setPhone(e.target.value)}
      aria-label="Business number"
      data-testid="phone-select"
    >
      {offersAllNumbers(phones) && <option value={ALL_NUMBERS}>{ALL_NUMBERS_NAME}</option>}
      {phones.map((p) => (
        <option key={p.id} value={p.id}>
          {phoneLabel(p)}
        </option>
      ))}
    </select>
  );
}

function RangePicker() {
  const range = useDashboard((s) => s.range);
  const setRange = useDashboard((s) => s.setRange);
  const report = useDashboard((s) => s.report);
  const isCustom = !('preset' in range);
  const calendar = 'preset' in range ? CALENDAR_PRESETS.find((p) => p.id === range.preset) : undefined;
  const menuOn = isCustom || calendar !== undefined;
  return (
    <div className="range-picker">
      <fieldset className="segmented">
        <legend className="sr-only">Date range</legend>
        {PRESETS.map((p) => {
          const on = 'preset' in range && range.preset === p.id;
          return (
            <button
              key={p.id}
              type="button"
              className={on ? 'on' : ''}
              aria-pressed={on}
              title={p.long}
              onClick={() => setRange({ preset: p.id })}
            >
              {p.label}
            </button>
          );
        })}
        <Popover
          label="Other date ranges"
          align="start"
          trigger={(t) => (
            <button
              type="button"
              className={menuOn ? 'on' : ''}
              aria-pressed={menuOn}
              data-testid="range-more"
              {...t}
            >
              {isCustom ? formatRange(range.from, range.to) : (calendar?.label ?? 'More')}
              <ChevronDown width={14} height={14} />
            </button>
          )}
        >
          {(close) => (
            <div className="stack">
              <fieldset className="row plain-fieldset">
                <legend className="sr-only">Calendar ranges</legend>
                {CALENDAR_PRESETS.map((p) => (
                  <button
                    key={p.id}
                    type="button"
                    className={`button small ${calendar?.id === p.id ? 'primary' : 'ghost'}`}
                    aria-pressed={calendar?.id === p.id}
                    onClick={() => {
                      setRange({ preset: p.id });
                      close();
                    }}
                  >
                    {p.label}
                  </button>
                ))}
              </fieldset>
              <CustomRange
                initial={isCustom ? range : report ? { from: report.range.from, to: report.range.to } : null}
                onApply={(r) => {
                  setRange(r);
                  close();
                }}
              />
            </div>
          )}
        </Popover>
      </fieldset>
    </div>
  );
}

function CustomRange({
  initial,
  onApply,
}: {
  initial: { from: string; to: string } | null;
  onApply: (r: RangeSelection) => void;
}) {
  const [from, setFrom] = useState(initial?.from ?? '');
  const [to, setTo] = useState(initial?.to ?? '');
  const error = validCustomRange(from, to);
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (!error) onApply({ from, to });
      }}
    >
      <div className="row">
        <label className="field">
          <span>From</span>
          <input type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="field">
          <span>To</span>
          <input type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
        </label>
      </div>
      {error && (from || to) ? <p className="hint error-text">{error}</p> : null}
      <button type="submit" className="button primary" disabled={error !== null}>
        Apply
      </button>
    </form>
  );
}

/** Every zone the runtime knows (ECMA-402 Intl.supportedValuesOf), read once. */
let zones: string[] | null = null;
const allZones = (): string[] => {
  zones ??= Intl.supportedValuesOf('timeZone');
  return zones;
};
const zoneName = (tz: string) => tz.replace(/_/g, ' ');

/** The report timezone (days, weeks and ranges are counted in it), changeable for this workspace. */
// Memoised: the top bar renders with every report, and the zone list is some 400 options.
const TimezonePicker = memo(function TimezonePicker() {
  const timezone = useDashboard((s) => s.timezone);
  const fallback = useDashboard((s) => s.defaultTimezone);
  const shown = useDashboard((s) => s.report?.range.timezone);
  const setTimezone = useDashboard((s) => s.setTimezone);
  if (!shown && !fallback) return null;
  const list = allZones();
  const current = timezone ?? '';
  return (
    <label className="field-inline tz-field" title="Report timezone: dates and days are counted in this zone">
      <span className="sr-only">Report timezone</span>
      <select
        className="select select-tz"
        value={current}
        onChange={(e) => setTimezone(e.target.value || null)}
        aria-label="Report timezone"
        data-testid="timezone-select"
      >
        {/* The workspace's own zone: its name alone, so the narrow select does not cut it. */}
        <option value="" title="The workspace's timezone setting">
          {fallback ? zoneName(fallback) : 'Workspace setting'}
        </option>
        {timezone && !list.includes(timezone) && <option value={timezone}>{zoneName(timezone)}</option>}
        {list.map((tz) => (
          <option key={tz} value={tz}>
            {zoneName(tz)}
          </option>
        ))}
      </select>
    </label>
  );
});

function SyncStatus({ onClick, open }: { onClick: () => void; open: boolean }) {
  const jobs = useDashboard((s) => s.jobs);
  const offline = useDashboard((s) => s.offline);
  const running = jobs.filter((j) => j.state === 'running');
  const failed = jobs.some((j) => j.state === 'failed');
  const lastSync = jobs
    .filter((j) => (j.kind === 'collector-sync' || j.kind === 'meta-sync') && j.state === 'done' && j.endedAt)
    .map((j) => j.endedAt as string)
    .sort()
    .pop();
  const text = offline
    ? 'Offline'
    : running.length > 0
      ? `${running.length} job${running.length > 1 ? 's' : ''} running`
      : lastSync
        ? `Synced ${formatAgo(lastSync)}`
        : 'Jobs';
  return (
    <button
      type="button"
      className={`chip-button ${offline ? 'danger' : failed ? 'warn' : running.length ? 'busy' : ''}`}
      onClick={onClick}
      aria-expanded={open}
      aria-controls="jobs-panel"
      data-testid="jobs-button"
    >
      <span
        className={`dot ${offline ? 'dot-off' : running.length ? 'dot-busy' : 'dot-ok'}`}
        aria-hidden="true"
      />
      <ActivityIcon width={14} height={14} />
      <span>{text}</span>
    </button>
  );
}

const THEME_NEXT: Record<ThemePref, ThemePref> = { system: 'light', light: 'dark', dark: 'system' };
const THEME_NAME: Record<ThemePref, string> = { system: 'follows the system', light: 'light', dark: 'dark' };

function ThemeToggle() {
  const theme = useDashboard((s) => s.theme);
  const setTheme = useDashboard((s) => s.setTheme);
  const Icon = theme === 'dark' ? MoonIcon : theme === 'light' ? SunIcon : MonitorIcon;
  return (
    <button
      type="button"
      className="icon-button"
      aria-label={`Theme ${THEME_NAME[theme]}; switch to ${THEME_NAME[THEME_NEXT[theme]]}`}
      title={`Theme: ${THEME_NAME[theme]}`}
      onClick={() => setTheme(THEME_NEXT[theme])}
      data-testid="theme-toggle"
    >
      <Icon />
    </button>
  );
}
