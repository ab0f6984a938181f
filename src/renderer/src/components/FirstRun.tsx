import { useDashboard } from '../state/context';

/** No business number in this workspace yet: say what to do next. */
export function FirstRun() {
  const demo = useDashboard((s) => s.demo);
  const exploreDemo = useDashboard((s) => s.exploreDemo);
  const setView = useDashboard((s) => s.setView);
  const job = useDashboard((s) => s.jobs.find((j) => j.kind === 'demo' && j.state === 'running'));
  const phonesError = useDashboard((s) => s.phonesError);

  return (
    <section className="first-run" aria-labelledby="first-run-title">
      <h1 id="first-run-title">See which sources bring WhatsApp conversations that convert</h1>
      <p className="lead">
        This workspace has no WhatsApp data yet. Explore a realistic demo first, or connect your own numbers.
      </p>
      {phonesError && <p className="notice danger">{phonesError}</p>}
      <div className="first-run-actions">
        <div className="choice">
          <h2>Explore demo data</h2>
          <p className="muted">
            Two years of conversations, ads, keywords and sales in a separate “demo” workspace.
          </p>
          <button
            type="button"
            className="button primary"
            onClick={() => void exploreDemo()}
            disabled={demo.running}
            data-testid="explore-demo"
          >
            {demo.running ? 'Building demo data…' : 'Explore demo data'}
          </button>
          {demo.running && (
            <div
              className={`progress ${job?.progress == null ? 'indeterminate' : ''}`}
              role="progressbar"
              aria-label="Demo data progress"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={job?.progress == null ? undefined : Math.round(job.progress * 100)}
            >
              <div className="progress-fill" style={{ width: `${(job?.progress ?? 0.3) * 100}%` }} />
            </div>
          )}
          {demo.running && job?.detail && <p className="hint">{job.detail}</p>}
          {demo.error && <p className="hint error-text">{demo.error}</p>}
        </div>
        <div className="choice">
          <h2>Use your own data</h2>
          <ol className="steps-list">
            <li>
              Add your 360dialog numbers and keys in{' '}
              <button type="button" className="link-button" onClick={() => setView('settings')}>
                Settings → Channels
              </button>
              .
            </li>
            <li>
              Import past webhooks, event CSVs or send logs with <code>insights import</code>, or point a
              collector at this app.
            </li>
            <li>Connect Meta to see ad spend and conversion cost.</li>
          </ol>
        </div>
      </div>
    </section>
  );
}

export function DemoBanner() {
  const isDemo = useDashboard(
    (s) => s.workspaces.find((w) => w.name === s.workspace)?.isDemo ?? s.workspace === 'demo',
  );
  const leaveDemo = useDashboard((s) => s.leaveDemo);
  if (!isDemo) return null;
  return (
    <div className="demo-banner" role="status" data-testid="demo-banner">
      <span>
        <strong>Demo data.</strong> These numbers are made up, so you can explore every screen safely.
      </span>
      <button type="button" className="button small" onClick={() => void leaveDemo()}>
        Leave demo
      </button>
    </div>
  );
}
