import { useEffect, useState } from 'react';
import type { MetaSettings } from '../../../../shared/contract';
import { useClient, useDashboard } from '../../state/context';
import { ErrorLine, PanelState } from './common';
import { useAction, useLoad } from './useLoad';

/** Graph API version and address, and the Meta app used for device login. The client token is write-only. */
export function MetaSettingsPanel() {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const settings = useLoad(() => client.api['meta.settings.get']({}), [workspace]);
  return (
    <section className="panel" aria-labelledby="meta-settings-title">
      <h2 id="meta-settings-title">Meta app and Graph API</h2>
      <p className="muted small">
        Login for Devices needs your Meta app’s id and client token (App settings › Advanced). The version and
        address rarely change.
      </p>
      <PanelState loading={settings.loading && !settings.data} error={settings.error}>
        {settings.data && <MetaSettingsForm current={settings.data} onSaved={settings.reload} />}
      </PanelState>
    </section>
  );
}

function MetaSettingsForm({ current, onSaved }: { current: MetaSettings; onSaved: () => void }) {
  const client = useClient();
  const [apiVersion, setApiVersion] = useState(current.apiVersion);
  const [baseUrl, setBaseUrl] = useState(current.baseUrl);
  const [appId, setAppId] = useState(current.appId ?? '');
  // Never filled from the core: the stored token is not readable; typing replaces it.
  const [clientToken, setClientToken] = useState('');
  const [saved, setSaved] = useState(false);
  const [run, action] = useAction();
  useEffect(() => {
    setApiVersion(current.apiVersion);
    setBaseUrl(current.baseUrl);
    setAppId(current.appId ?? '');
  }, [current]);
  const change =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setSaved(false);
    };
  const save = (patch: Parameters<(typeof client.api)['meta.settings.set']>[0]) =>
    void run(async () => {
      await client.api['meta.settings.set'](patch);
      setClientToken('');
      setSaved(true);
      onSaved();
    });
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        save({
          ...(apiVersion.trim() !== current.apiVersion ? { apiVersion: apiVersion.trim() } : {}),
          ...(baseUrl.trim() !== current.baseUrl ? { baseUrl: baseUrl.trim() || null } : {}),
          ...(appId.trim() !== (current.appId ?? '') ? { appId: appId.trim() || null } : {}),
          ...(clientToken.trim() ? { clientToken: clientToken.trim() } : {}),
        });
      }}
    >
      <div className="row wrap-row">
        <label className="field field-narrow">
          <span>Graph API version</span>
          <input
            value={apiVersion}
            onChange={(e) => change(setApiVersion)(e.target.value)}
            placeholder="v25.0"
          />
        </label>
        <label className="field grow">
          <span>Graph API base URL</span>
          <input
            value={baseUrl}
            onChange={(e) => change(setBaseUrl)(e.target.value)}
            placeholder="https://graph.facebook.com"
            inputMode="url"
          />
        </label>
      </div>
      {current.baseUrlFromEnv && (
        <p className="hint">
          INSIGHTS_GRAPH_URL is set, so <code>{current.effectiveBaseUrl}</code> is used instead.
        </p>
      )}
      <div className="row wrap-row">
        <label className="field">
          <span>App id</span>
          <input
            value={appId}
            onChange={(e) => change(setAppId)(e.target.value)}
            placeholder="123456789012345"
            inputMode="numeric"
          />
        </label>
        <label className="field grow">
          <span>Client token {current.hasClientToken ? '(stored)' : '(not set)'}</span>
          <input
            type="password"
            value={clientToken}
            onChange={(e) => change(setClientToken)(e.target.value)}
            placeholder={
              current.hasClientToken ? '•••••••• stored — type to replace' : 'Paste the client token'
            }
            autoComplete="off"
            data-testid="meta-client-token"
          />
        </label>
      </div>
      <div className="row">
        <button type="submit" className="button primary" disabled={action.busy}>
          Save
        </button>
        {current.hasClientToken && (
          <button
            type="button"
            className="button ghost"
            disabled={action.busy}
            onClick={() => save({ clientToken: null })}
          >
            Remove client token
          </button>
        )}
        {saved && (
          <span className="small yes" role="status">
            ✓ Saved.
          </span>
        )}
      </div>
      <ErrorLine error={action.error} />
    </form>
  );
}
