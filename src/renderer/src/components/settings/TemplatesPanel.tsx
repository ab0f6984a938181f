import { useEffect, useState } from 'react';
import { formatDateTime, formatInt } from '../../lib/format';
import { useClient, useDashboard } from '../../state/context';
import { ErrorLine, PanelState } from './common';
import { useAction, useLoad } from './useLoad';

/** Message templates per channel (they name `tpl:` sources and their buttons), and the 360dialog address. */
export function TemplatesPanel() {
  return (
    <>
      <Templates />
      <Dialog360Address />
    </>
  );
}

function Templates() {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const channels = useLoad(() => client.api['channels.list']({}), [workspace]);
  const [channel, setChannel] = useState('');
  useEffect(() => {
    const first = channels.data?.[0];
    if (first && !channels.data?.some((c) => c.id === channel)) setChannel(first.id);
  }, [channels.data, channel]);
  const templates = useLoad(
    () => (channel ? client.api['templates.list']({ channel }) : Promise.resolve([])),
    [workspace, channel],
  );
  const [run, action] = useAction();
  const [synced, setSynced] = useState<string | null>(null);
  const current = channels.data?.find((c) => c.id === channel);
  const lastSync = templates.data?.reduce<string | null>(
    (m, t) => (m === null || t.syncedAt > m ? t.syncedAt : m),
    null,
  );

  return (
    <section className="panel" aria-labelledby="templates-title">
      <h2 id="templates-title">Message templates</h2>
      <p className="muted small">
        Conversations that answer a template you sent are credited to that template; its buttons become
        events. Fetch them from 360dialog after you create or edit templates.
      </p>
      <PanelState
        loading={channels.loading && !channels.data}
        error={channels.error}
        empty={channels.data?.length === 0 && 'Add a channel first (Settings › Channels).'}
      >
        <div className="row wrap-row">
          <label className="field">
            <span>Channel</span>
            <select
              className="select"
              value={channel}
              onChange={(e) => {
                setChannel(e.target.value);
                setSynced(null);
              }}
            >
              {channels.data?.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name ? `${c.name} · ${c.id}` : c.id}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="button primary align-end"
            disabled={!channel || action.busy || current?.hasApiKey === false}
            onClick={() =>
              void run(async () => {
                const r = await client.api['templates.sync']({ channel });
                setSynced(
                  `Fetched ${formatInt(r.templates)} template${r.templates === 1 ? '' : 's'} with ${formatInt(r.buttons)} button${r.buttons === 1 ? '' : 's'}.`,
                );
                templates.reload();
              })
            }
          >
            {action.busy ? 'Fetching…' : 'Fetch templates'}
          </button>
          {lastSync && <span className="small muted align-end">Last fetched {formatDateTime(lastSync)}</span>}
        </div>
        {current?.hasApiKey === false && (
          <p className="hint">This channel has no 360dialog API key: add the number again with its key.</p>
        )}
        {synced && (
          <p className="small yes" role="status">
            ✓ {synced}
          </p>
        )}
        <PanelState
          loading={templates.loading && !templates.data}
          error={templates.error}
          empty={templates.data?.length === 0 && 'No templates stored for this channel yet.'}
        >
          <table className="data-table compact-table" data-testid="templates-table">
            <thead>
              <tr>
                <th scope="col" className="col-name">
                  Template
                </th>
                <th scope="col">Language</th>
                <th scope="col">Status</th>
                <th scope="col">Buttons</th>
              </tr>
            </thead>
            <tbody>
              {templates.data?.map((t) => (
                <tr key={`${t.name}\u0001${t.language}`}>
                  <td className="col-name">
                    {t.name}
                    {t.category && <div className="muted small">{t.category.toLowerCase()}</div>}
                  </td>
                  <td className="small">{t.language}</td>
                  <td className="small">{t.status ? t.status.toLowerCase() : '—'}</td>
                  <td className="small">
                    {t.buttons.length === 0 ? (
                      <span className="muted">none</span>
                    ) : (
                      <span className="chip-list">
                        {t.buttons.map((b) => (
                          <span key={b.index} className="kind-badge" title={b.type}>
                            {b.text}
                          </span>
                        ))}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </PanelState>
      </PanelState>
      <ErrorLine error={action.error} />
    </section>
  );
}

function Dialog360Address() {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const settings = useLoad(() => client.api['dialog360.settings']({}), [workspace]);
  const [url, setUrl] = useState('');
  const [saved, setSaved] = useState(false);
  const [run, action] = useAction();
  useEffect(() => setUrl(settings.data?.baseUrl ?? ''), [settings.data]);
  const save = (baseUrl: string | null) =>
    void run(async () => {
      await client.api['dialog360.setSettings']({ baseUrl });
      setSaved(true);
      settings.reload();
    });
  return (
    <section className="panel" aria-labelledby="d360-title">
      <h2 id="d360-title">360dialog address</h2>
      <p className="muted small">
        Only change this for a 360dialog sandbox or a proxy. Keys, templates and webhook registration use it.
      </p>
      <PanelState loading={settings.loading && !settings.data} error={settings.error}>
        {settings.data && (
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              save(url.trim() || null);
            }}
          >
            <p className="small">
              In use: <code>{settings.data.effectiveBaseUrl}</code>
              {settings.data.baseUrl === null && <span className="muted"> (default)</span>}
            </p>
            <div className="row wrap-row">
              <label className="field grow">
                <span>Base URL</span>
                <input
                  value={url}
                  onChange={(e) => {
                    setUrl(e.target.value);
                    setSaved(false);
                  }}
                  placeholder={settings.data.effectiveBaseUrl}
                  inputMode="url"
                />
              </label>
              <button type="submit" className="button primary align-end" disabled={action.busy}>
                Save
              </button>
              {settings.data.baseUrl !== null && (
                <button
                  type="button"
                  className="button ghost align-end"
                  disabled={action.busy}
                  onClick={() => save(null)}
                >
                  Use the default
                </button>
              )}
            </div>
            {saved && (
              <p className="small yes" role="status">
                ✓ Saved.
              </p>
            )}
          </form>
        )}
      </PanelState>
      <ErrorLine error={action.error} />
    </section>
  );
}
