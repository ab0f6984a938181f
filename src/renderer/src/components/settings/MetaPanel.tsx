import { useEffect, useState } from 'react';
import type { MetaAccount, MetaStatus } from '../../../../shared/contract';
import { errorText } from '../../lib/errors';
import { formatAgo, formatDate, formatDateTime, formatInt } from '../../lib/format';
import { useClient, useDashboard } from '../../state/context';
import { formatPhone } from '../TopBar';
import { ErrorLine, PanelState } from './common';
import { useAction, useLoad } from './useLoad';

/** Meta connection: token or Login for Devices, ad accounts and their numbers, sync. */
export function MetaPanel() {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const status = useLoad(() => client.api['meta.status']({}), [workspace]);
  const [run, action] = useAction();
  const s = status.data;
  const connected = s?.connected && !s.needsLogin;

  return (
    <section className="panel" aria-labelledby="meta-title">
      <h2 id="meta-title">Meta ads</h2>
      <p className="muted small">
        Connect Meta to name ad sources by campaign › ad set › ad and sync their daily spend.
      </p>
      <PanelState loading={status.loading && !s} error={status.error}>
        {s && (
          <>
            {s.needsLogin && (
              <p className="notice danger" role="status" data-testid="meta-needs-login">
                Meta needs you to log in again{s.needsLoginReason ? `: ${s.needsLoginReason}` : '.'} Spend
                stays as last synced until you reconnect.
              </p>
            )}
            {connected ? (
              <ConnectedView status={s} onChange={status.reload} run={run} busy={action.busy} />
            ) : (
              <ConnectView onConnected={status.reload} />
            )}
          </>
        )}
      </PanelState>
      <ErrorLine error={action.error} />
      {s?.connected && <AccountsView />}
    </section>
  );
}

function ConnectedView({
  status,
  onChange,
  run,
  busy,
}: {
  status: MetaStatus;
  onChange: () => void;
  run: (fn: () => Promise<unknown>) => Promise<boolean>;
  busy: boolean;
}) {
  const client = useClient();
  const refresh = useDashboard((s) => s.refresh);
  const last = status.lastSync;
  return (
    <div className="stack">
      <dl className="kv">
        <dt>Connected as</dt>
        <dd>
          {status.user?.name ?? status.user?.id ?? '—'}{' '}
          <span className="muted small">({status.method === 'device' ? 'device login' : status.method})</span>
        </dd>
        <dt>Token expires</dt>
        <dd>{status.expiresAt ? formatDateTime(status.expiresAt) : 'never'}</dd>
        {status.missingPermissions.length > 0 && (
          <>
            <dt>Missing</dt>
            <dd className="error-text">{status.missingPermissions.join(', ')}</dd>
          </>
        )}
        <dt>Last sync</dt>
        <dd data-testid="meta-last-sync">
          {last ? (
            <>
              {last.endedAt ? formatAgo(last.endedAt) : 'running…'}
              {last.ok === false && <span className="error-text"> — failed: {last.error}</span>}
              {last.summary && (
                <span className="muted small">
                  {' '}
                  · {formatInt(last.summary.accounts)} accounts, {formatInt(last.summary.spendRows)} spend
                  rows
                </span>
              )}
            </>
          ) : (
            'never'
          )}
        </dd>
      </dl>
      <div className="row">
        <button
          type="button"
          className="button primary"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              await client.api['meta.sync']({});
              onChange();
              refresh();
            })
          }
        >
          {busy ? 'Syncing…' : 'Sync now'}
        </button>
        <button
          type="button"
          className="button ghost"
          onClick={() => {
            if (window.confirm('Disconnect Meta? Synced spend and names stay.'))
              void run(async () => {
                await client.api['meta.disconnect']({});
                onChange();
              });
          }}
        >
          Disconnect
        </button>
      </div>
    </div>
  );
}

function ConnectView({ onConnected }: { onConnected: () => void }) {
  const client = useClient();
  const [token, setToken] = useState('');
  const [run, action] = useAction();
  const [device, setDevice] = useState<{
    userCode: string;
    verificationUri: string;
    interval: number;
    expiresAt: string;
  } | null>(null);
  const [deviceMsg, setDeviceMsg] = useState<string | null>(null);

  // Poll Login for Devices at the interval Meta asks for, until it ends.
  useEffect(() => {
    if (!device) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async (interval: number) => {
      timer = setTimeout(async () => {
        try {
          const r = await client.api['meta.deviceLoginPoll']({});
          if (!live) return;
          setDeviceMsg(r.message);
          if (r.state === 'connected') {
            setDevice(null);
            onConnected();
          } else if (r.state === 'expired' || r.state === 'declined') setDevice(null);
          else void poll(r.interval);
        } catch (err) {
          if (live) {
            setDeviceMsg(errorText(err));
            setDevice(null);
          }
        }
      }, interval * 1000);
    };
    void poll(device.interval);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [device, client, onConnected]);

  return (
    <div className="stack">
      <div className="choice-row">
        <div className="stack">
          <h3 className="small">Log in with Facebook</h3>
          {device ? (
            <div className="secret-once" role="status">
              <p className="small">
                Open{' '}
                <a href={device.verificationUri} target="_blank" rel="noreferrer">
                  {device.verificationUri}
                </a>{' '}
                and enter this code:
              </p>
              <p className="device-code" data-testid="device-code">
                {device.userCode}
              </p>
              <p className="hint">Waiting for you to confirm… (expires {formatDateTime(device.expiresAt)})</p>
            </div>
          ) : (
            <button
              type="button"
              className="button"
              disabled={action.busy}
              onClick={() => void run(async () => setDevice(await client.api['meta.deviceLoginStart']({})))}
            >
              Start device login
            </button>
          )}
          {deviceMsg && <p className="hint">{deviceMsg}</p>}
        </div>
        <form
          className="stack"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await run(() => client.api['meta.connectToken']({ token: token.trim() }))) {
              setToken('');
              onConnected();
            }
          }}
        >
          <h3 className="small">Or paste an access token</h3>
          <label className="field">
            <span>System user or user access token with ads_read</span>
            <input
              type="password"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              autoComplete="off"
            />
          </label>
          <button type="submit" className="button" disabled={token.trim().length < 10 || action.busy}>
            Connect
          </button>
        </form>
      </div>
      <ErrorLine error={action.error} />
    </div>
  );
}

function AccountsView() {
  const client = useClient();
  const phones = useDashboard((s) => s.phones) ?? [];
  const [refreshTick, setRefreshTick] = useState(0);
  const accounts = useLoad(() => client.api['meta.accounts']({ refresh: refreshTick > 0 }), [refreshTick]);
  const [list, setList] = useState<MetaAccount[] | null>(null);
  const [run, action] = useAction();
  useEffect(() => setList(accounts.data), [accounts.data]);
  const selected = (list ?? []).filter((a) => a.selected).map((a) => a.id);
  return (
    <div className="stack">
      <div className="row between">
        <h3 className="small">Ad accounts</h3>
        <button
          type="button"
          className="button ghost small"
          onClick={() => setRefreshTick((t) => t + 1)}
          disabled={accounts.loading}
        >
          Refresh from Meta
        </button>
      </div>
      <PanelState
        loading={accounts.loading && !list}
        error={accounts.error}
        empty={list?.length === 0 && 'No ad account is visible to this login.'}
      >
        <ul className="plain-list">
          {list?.map((a) => (
            <li key={a.id} className="stack">
              <label className="row">
                <input
                  type="checkbox"
                  checked={a.selected}
                  onChange={() =>
                    void run(async () => {
                      const ids = a.selected ? selected.filter((x) => x !== a.id) : [...selected, a.id];
                      setList(await client.api['meta.selectAccounts']({ accountIds: ids }));
                    })
                  }
                />
                <strong>{a.name ?? a.id}</strong>
                <span className="muted small">
                  {a.id} · {a.currency ?? '—'} {a.statusLabel ? `· ${a.statusLabel}` : ''}
                  {a.spendSince && a.spendThrough
                    ? ` · spend ${formatDate(a.spendSince)} – ${formatDate(a.spendThrough)}`
                    : ''}
                  {a.lastSyncAt ? ` · synced ${formatAgo(a.lastSyncAt)}` : ''}
                </span>
              </label>
              {a.selected && phones.length > 0 && (
                <fieldset className="radio-row indent">
                  <legend className="small muted">Ads lead to</legend>
                  {phones.map((p) => {
                    const on = a.phoneNumberIds.includes(p.id);
                    return (
                      <label key={p.id} className="radio">
                        <input
                          type="checkbox"
                          checked={on}
                          onChange={() =>
                            void run(async () => {
                              const next = on
                                ? a.phoneNumberIds.filter((x) => x !== p.id)
                                : [...a.phoneNumberIds, p.id];
                              setList(
                                await client.api['meta.linkNumbers']({ accountId: a.id, phoneNumbers: next }),
                              );
                            })
                          }
                        />
                        {formatPhone(p.display, p.id)}
                      </label>
                    );
                  })}
                </fieldset>
              )}
            </li>
          ))}
        </ul>
      </PanelState>
      <ErrorLine error={action.error} />
    </div>
  );
}
