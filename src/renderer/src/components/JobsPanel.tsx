import type { JobInfo } from '../../../shared/contract';
import { formatAgo, formatDateTime } from '../lib/format';
import { useClient, useDashboard } from '../state/context';
import { CloseIcon } from './Icons';
import { useLoad } from './settings/useLoad';

const KIND_LABEL: Record<JobInfo['kind'], string> = {
  import: 'Import',
  'collector-sync': 'Collector sync',
  'meta-sync': 'Meta sync',
  'conversions-send': 'Conversions to Meta',
  rebuild: 'Rebuild',
  demo: 'Demo data',
};

/** Plain words for the errors people see most; the core's message otherwise. */
export function jobErrorText(error: string | null): string {
  if (!error) return 'The job failed.';
  if (/ECONNREFUSED|ENOTFOUND|fetch failed|network/i.test(error))
    return 'Could not reach the server. Check the connection and try again.';
  if (/401|unauthori[sz]ed|invalid.*token/i.test(error))
    return 'The key or token was refused. Check it in Settings.';
  if (/cancel/i.test(error)) return 'Cancelled.';
  return error;
}

export function JobsPanel({
  onClose,
  retry,
}: {
  onClose: () => void;
  retry: Partial<Record<JobInfo['kind'], () => void>>;
}) {
  const jobs = useDashboard((s) => s.jobs);
  const cancelJob = useDashboard((s) => s.cancelJob);
  const offline = useDashboard((s) => s.offline);
  const sorted = [...jobs].sort(
    (a, b) =>
      (a.state === 'running' ? -1 : 0) - (b.state === 'running' ? -1 : 0) ||
      b.startedAt.localeCompare(a.startedAt),
  );

  return (
    <aside id="jobs-panel" className="drawer jobs-panel" aria-label="Jobs and sync">
      <header className="panel-head">
        <h2>Jobs and sync</h2>
        <button type="button" className="icon-button" aria-label="Close jobs" onClick={onClose}>
          <CloseIcon />
        </button>
      </header>
      {offline && (
        <p className="notice danger" role="status">
          Offline — the Insights core is not answering. The dashboard shows the last data it received and
          reconnects by itself.
        </p>
      )}
      <SyncTimes />
      {sorted.length === 0 ? (
        <p className="empty-hint">No jobs yet. Imports, syncs and rebuilds show their progress here.</p>
      ) : (
        <ul className="job-list">
          {sorted.map((j) => (
            <li key={j.id} className={`job job-${j.state}`} data-testid="job">
              <div className="row between">
                <strong>{KIND_LABEL[j.kind]}</strong>
                <span className="muted small">
                  {j.state === 'running'
                    ? `started ${formatAgo(j.startedAt)}`
                    : j.endedAt
                      ? formatAgo(j.endedAt)
                      : ''}
                </span>
              </div>
              {j.state === 'running' && (
                <>
                  <div
                    className={`progress ${j.progress === null ? 'indeterminate' : ''}`}
                    role="progressbar"
                    aria-label={`${KIND_LABEL[j.kind]} progress`}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={j.progress === null ? undefined : Math.round(j.progress * 100)}
                  >
                    <div className="progress-fill" style={{ width: `${(j.progress ?? 0.3) * 100}%` }} />
                  </div>
                  <div className="row between">
                    <span className="muted small">{j.detail ?? ''}</span>
                    <button type="button" className="button ghost small" onClick={() => cancelJob(j.id)}>
                      Cancel
                    </button>
                  </div>
                </>
              )}
              {j.state === 'failed' && (
                <div className="row between">
                  <span className="error-text small">{jobErrorText(j.error)}</span>
                  {retry[j.kind] && (
                    <button type="button" className="button small" onClick={retry[j.kind]}>
                      Retry
                    </button>
                  )}
                </div>
              )}
              {j.state === 'done' && <span className="muted small">{j.detail ?? 'Done'}</span>}
              {j.state === 'cancelled' && <span className="muted small">Cancelled</span>}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

/** When the data last arrived from the collector and from Meta (what the dashboard numbers are as of). */
function SyncTimes() {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const jobs = useDashboard((s) => s.jobs.length);
  const collector = useLoad(() => client.api['collector.status']({}), [workspace, jobs]);
  const meta = useLoad(() => client.api['meta.status']({}), [workspace, jobs]);
  const c = collector.data;
  const m = meta.data;
  return (
    <dl className="kv sync-times" data-testid="sync-times">
      <dt>Collector</dt>
      <dd title={c?.lastSyncedAt ? formatDateTime(c.lastSyncedAt) : undefined}>
        {!c
          ? collector.error
            ? '—'
            : '…'
          : !c.configured
            ? 'not connected'
            : c.lastSyncedAt
              ? `synced ${formatAgo(c.lastSyncedAt)}`
              : 'never synced'}
        {c?.configured && !c.online && <span className="error-text"> · offline</span>}
      </dd>
      <dt>Meta</dt>
      <dd title={m?.lastSync?.endedAt ? formatDateTime(m.lastSync.endedAt) : undefined}>
        {!m && meta.error
          ? '—'
          : !m
            ? '…'
            : !m.connected
              ? 'not connected'
              : m.needsLogin
                ? 'needs login'
                : m.lastSync?.endedAt
                  ? `synced ${formatAgo(m.lastSync.endedAt)}`
                  : 'never synced'}
      </dd>
    </dl>
  );
}
