import { lazy, Suspense, useEffect, useLayoutEffect, useState } from 'react';
import type { JobInfo } from '../../shared/contract';
import { Dashboard, useContactsDownload } from './components/Dashboard';
import { DrillDown } from './components/DrillDown';
import { DemoBanner, FirstRun } from './components/FirstRun';
import { JobsPanel } from './components/JobsPanel';
import { TopBar } from './components/TopBar';
import { useClient, useDashboard } from './state/context';
import type { ThemePref } from './state/store';

// Screens the first render does not show load on first use: a smaller first bundle parses sooner
// (https://react.dev/reference/react/lazy).
const Settings = lazy(() => import('./components/settings/Settings').then((m) => ({ default: m.Settings })));
const Overview = lazy(() => import('./components/Overview').then((m) => ({ default: m.Overview })));

/** The theme actually shown: the manual choice, else the OS preference. */
function useResolvedTheme(pref: ThemePref): 'light' | 'dark' {
  const query = '(prefers-color-scheme: dark)';
  const [osDark, setOsDark] = useState(() => window.matchMedia?.(query).matches ?? false);
  useEffect(() => {
    const mq = window.matchMedia?.(query);
    if (!mq) return;
    const on = (e: MediaQueryListEvent) => setOsDark(e.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  const resolved = pref === 'system' ? (osDark ? 'dark' : 'light') : pref;
  // A layout effect: it lands before the chart's passive effect reads the theme's colours.
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = resolved;
  }, [resolved]);
  return resolved;
}

function DrillDownHost() {
  const download = useContactsDownload();
  return <DrillDown onDownload={(sourceId, all) => void download(sourceId, all)} />;
}

export function App() {
  const boot = useDashboard((s) => s.boot);
  const bootError = useDashboard((s) => s.bootError);
  const init = useDashboard((s) => s.init);
  const view = useDashboard((s) => s.view);
  const phones = useDashboard((s) => s.phones);
  const offline = useDashboard((s) => s.offline);
  const theme = useDashboard((s) => s.theme);
  const exploreDemo = useDashboard((s) => s.exploreDemo);
  const [jobsOpen, setJobsOpen] = useState(false);
  const resolved = useResolvedTheme(theme);

  useEffect(() => {
    void init();
  }, [init]);

  const client = useClient();
  const refresh = useDashboard((s) => s.refresh);
  // Jobs without arguments can be retried from the panel; an import needs its files again (CLI or Settings).
  const retry: Partial<Record<JobInfo['kind'], () => void>> = {
    demo: () => void exploreDemo(),
    'meta-sync': () => void client.api['meta.sync']({}).then(refresh, () => undefined),
    'collector-sync': () => void client.api['collector.sync']({}).then(refresh, () => undefined),
    'conversions-send': () => void client.api['conversions.send']({}).catch(() => undefined),
  };

  if (boot === 'loading') {
    return (
      <div className="boot" aria-busy="true">
        <span className="brand-mark" aria-hidden="true" /> Loading Insights…
      </div>
    );
  }
  if (boot === 'error') {
    return (
      <div className="boot">
        <div className="stack">
          <h1>Insights could not start</h1>
          <p className="error-text">{bootError}</p>
          <button type="button" className="button primary" onClick={() => void init()}>
            Try again
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <DemoBanner />
      <TopBar onToggleJobs={() => setJobsOpen((o) => !o)} jobsOpen={jobsOpen} />
      {offline && (
        <div className="offline-bar" role="status" data-testid="offline">
          Offline — showing the last data received. Reconnecting…
        </div>
      )}
      <div className="body">
        <main id="main" className="main" tabIndex={-1}>
          {view === 'settings' ? (
            <Suspense fallback={<div className="boot">Loading settings…</div>}>
              <Settings />
            </Suspense>
          ) : view === 'overview' ? (
            <Suspense fallback={<div className="boot">Loading the overview…</div>}>
              <Overview />
            </Suspense>
          ) : phones === null ? (
            <div className="boot">Loading numbers…</div>
          ) : phones.length === 0 ? (
            <FirstRun />
          ) : (
            <Dashboard themeKey={resolved} />
          )}
        </main>
        {jobsOpen && <JobsPanel onClose={() => setJobsOpen(false)} retry={retry} />}
        {view === 'dashboard' && <DrillDownHost />}
      </div>
    </div>
  );
}
