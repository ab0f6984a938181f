import { useState } from 'react';
import { formatAgo, formatDateTime, formatInt } from '../../lib/format';
import { useClient, useDashboard } from '../../state/context';
import { CredentialRow, ErrorLine, PanelState, ShownOnce } from './common';
import { useAction, useLoad } from './useLoad';

/** This desktop pulls from a 24/7 collector (`insights serve` on a server); or this install is the collector. */
export function CollectorPanel() {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const refresh = useDashboard((s) => s.refresh);
  const status = useLoad(() => client.api['collector.status']({}), [workspace]);
  const tokens = useLoad(() => client.api['collector.tokens.list']({}), [workspace]);
  const [run, action] = useAction();
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [every, setEvery] = useState('15');
  const [newToken, setNewToken] = useState<string | null>(null);
  const s = status.data;

  return (
    <section className="panel" aria-labelledby="collector-title">
      <h2 id="collector-title">Collector</h2>
      <p className="muted small">
        360dialog needs a public URL that is always on. Run <code>insights serve</code> on a server as the
        collector; this app pulls what it received.
      </p>
      <PanelState loading={status.loading && !s} error={status.error}>
        {s?.configured ? (
          <div className="stack">
            <dl className="kv">
              <dt>Collector</dt>
              <dd>
                <code>{s.url}</code>{' '}
                <span className={`status-pill ${s.online ? 'yes' : 'error-text'}`}>
                  <span className={`dot ${s.online ? 'dot-ok' : 'dot-off'}`} aria-hidden="true" />
                  {s.online ? 'online' : 'offline'}
                </span>
              </dd>
              <dt>Last synced</dt>
              <dd data-testid="collector-last-sync">
                {s.lastSyncedAt
                  ? `${formatAgo(s.lastSyncedAt)} (${formatDateTime(s.lastSyncedAt)})`
                  : 'never'}{' '}
                · every {s.intervalMinutes} min
              </dd>
              <dt>Received</dt>
              <dd>
                {formatInt(s.received.payloads)} webhooks, {formatInt(s.received.events)} events,{' '}
                {formatInt(s.received.outgoing)} sends
              </dd>
            </dl>
            {s.lastError && <p className="notice danger">Last attempt failed: {s.lastError}</p>}
            <div className="row">
              <button
                type="button"
                className="button primary"
                disabled={action.busy}
                onClick={() =>
                  void run(async () => {
                    await client.api['collector.sync']({});
                    status.reload();
                    refresh();
                  })
                }
              >
                {action.busy ? 'Syncing…' : 'Sync now'}
              </button>
              <button
                type="button"
                className="button ghost"
                onClick={() =>
                  void run(async () => {
                    await client.api['collector.disconnect']({});
                    status.reload();
                  })
                }
              >
                Disconnect
              </button>
            </div>
          </div>
        ) : (
          <form
            className="stack"
            onSubmit={async (e) => {
              e.preventDefault();
              if (
                await run(() =>
                  client.api['collector.configure']({
                    url: url.trim(),
                    token: token.trim(),
                    intervalMinutes: Number(every) || 15,
                  }),
                )
              ) {
                setToken('');
                status.reload();
              }
            }}
          >
            <div className="row wrap-row">
              <label className="field grow">
                <span>Collector URL</span>
                <input
                  value={url}
                  onChange={(e) => setUrl(e.target.value)}
                  placeholder="https://collector.example.com"
                />
              </label>
              <label className="field grow">
                <span>Read token</span>
                <input
                  type="password"
                  value={token}
                  onChange={(e) => setToken(e.target.value)}
                  autoComplete="off"
                />
              </label>
              <label className="field">
                <span>Every (min)</span>
                <input
                  type="number"
                  min={1}
                  max={1440}
                  value={every}
                  onChange={(e) => setEvery(e.target.value)}
                />
              </label>
              <button
                type="submit"
                className="button primary align-end"
                disabled={!url.trim() || !token.trim() || action.busy}
              >
                Connect
              </button>
            </div>
          </form>
        )}
      </PanelState>
      <h3 className="small">Read tokens (when this install is the collector)</h3>
      {newToken && <ShownOnce title="Read token" value={newToken} />}
      <PanelState
        loading={tokens.loading && !tokens.data}
        error={tokens.error}
        empty={tokens.data?.filter((t) => !t.revokedAt).length === 0 && 'No read token.'}
      >
        <ul className="plain-list">
          {tokens.data
            ?.filter((t) => !t.revokedAt)
            .map((t) => (
              <CredentialRow
                key={t.id}
                label={t.name ?? t.id}
                createdAt={t.createdAt}
                lastUsedAt={t.lastUsedAt}
                onRevoke={() =>
                  void run(async () => {
                    await client.api['collector.tokens.revoke']({ id: t.id });
                    tokens.reload();
                  })
                }
              />
            ))}
        </ul>
      </PanelState>
      <button
        type="button"
        className="button"
        onClick={() =>
          void run(async () => {
            const t = await client.api['collector.tokens.create']({ name: 'desktop' });
            setNewToken(t.token);
            tokens.reload();
          })
        }
      >
        Create read token
      </button>
      <ErrorLine error={action.error} />
    </section>
  );
}
