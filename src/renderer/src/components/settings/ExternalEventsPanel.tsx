import { useState } from 'react';
import { useClient, useDashboard } from '../../state/context';
import { CopyBlock, CredentialRow, ErrorLine, PanelState, ShownOnce } from './common';
import { receiverOrigin, useAction, useLoad } from './useLoad';

/** API keys for the 360dialog-compatible external events endpoint, with a curl example to copy. */
export function ExternalEventsPanel() {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const phone = useDashboard((s) => s.phones?.find((p) => p.id === s.phoneId));
  const keys = useLoad(() => client.api['keys.list']({}), [workspace]);
  const [run, action] = useAction();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const endpoint = `${receiverOrigin()}/clients/${workspace}/external-events`;
  const leadPhone = '+4915123456789';
  const curl = `curl -X POST '${endpoint}' \\
  -H 'content-type: application/json' \\
  -d '{"api_key": "${created ?? '<your API key>'}",
       "external_event": {"action": "Purchase", "lead_phone": "${leadPhone}",
                          "revenue": {"amount": 49.90, "currency": "EUR"}${phone ? `,\n                          "app_id": "${phone.id}"` : ''}}}'`;
  const active = keys.data?.filter((k) => !k.revokedAt) ?? [];
  return (
    <section className="panel" aria-labelledby="ext-title">
      <h2 id="ext-title">External events</h2>
      <p className="muted small">
        Your shop, CRM or booking system reports conversions that happen outside WhatsApp (same format as
        360dialog’s external events). Events attribute to the lead’s most recent conversation.
      </p>
      <dl className="kv">
        <dt>Endpoint</dt>
        <dd>
          <code>POST {endpoint}</code>
        </dd>
      </dl>
      {created && <ShownOnce title="API key" value={created} />}
      <h3 className="small">Example</h3>
      <CopyBlock text={curl} label="curl example" />
      <h3 className="small">API keys</h3>
      <PanelState
        loading={keys.loading && !keys.data}
        error={keys.error}
        empty={active.length === 0 && 'No active key.'}
      >
        <ul className="plain-list">
          {active.map((k) => (
            <CredentialRow
              key={k.id}
              label={
                <>
                  <code>{k.prefix}…</code> {k.name && <strong>{k.name}</strong>}
                </>
              }
              createdAt={k.createdAt}
              lastUsedAt={k.lastUsedAt}
              onRevoke={() =>
                void run(async () => {
                  await client.api['keys.revoke']({ id: k.id });
                  keys.reload();
                })
              }
            />
          ))}
        </ul>
      </PanelState>
      <form
        className="row"
        onSubmit={async (e) => {
          e.preventDefault();
          await run(async () => {
            const k = await client.api['keys.create']({ ...(name.trim() ? { name: name.trim() } : {}) });
            setCreated(k.key);
            setName('');
            keys.reload();
          });
        }}
      >
        <label className="field grow">
          <span>Key name (optional)</span>
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Shopify" />
        </label>
        <button type="submit" className="button align-end" disabled={action.busy}>
          Create key
        </button>
      </form>
      <ErrorLine error={action.error} />
    </section>
  );
}
