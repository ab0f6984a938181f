import { useState } from 'react';
import type { Channel, KeyCheck, WebhookStatus } from '../../../../shared/contract';
import { formatDateTime } from '../../lib/format';
import { useClient, useDashboard } from '../../state/context';
import { CopyBlock, ErrorLine, PanelState, ShownOnce } from './common';
import { receiverOrigin, useAction, useLoad } from './useLoad';

/** 360dialog numbers: receiver URL and secret, API key check, webhook registration. */
export function ChannelsPanel() {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const channels = useLoad(() => client.api['channels.list']({}), [workspace]);
  const [run, action] = useAction();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [created, setCreated] = useState<(Channel & { secret: string }) | null>(null);

  return (
    <section className="panel" aria-labelledby="channels-title">
      <h2 id="channels-title">Channels</h2>
      <p className="muted small">
        Each 360dialog number delivers its webhooks to its own receiver URL, signed with its secret.
      </p>
      <PanelState
        loading={channels.loading && !channels.data}
        error={channels.error}
        empty={channels.data?.length === 0 && 'No channel yet. Add your first number below.'}
      >
        <ul className="plain-list">
          {channels.data?.map((c) => (
            <ChannelRow key={c.id} channel={c} onRemoved={channels.reload} />
          ))}
        </ul>
      </PanelState>
      {created && (
        <ShownOnce title="Webhook secret" value={created.secret}>
          <p className="small">
            360dialog sends to <code>{receiverOrigin() + created.webhookPath}</code> with the header{' '}
            <code>Authorization: Bearer &lt;secret&gt;</code>.
          </p>
        </ShownOnce>
      )}
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          const ok = await run(async () => {
            const c = await client.api['channels.add']({
              phoneNumberId: id.trim(),
              ...(name.trim() ? { name: name.trim() } : {}),
              ...(apiKey.trim() ? { apiKey: apiKey.trim() } : {}),
            });
            setCreated(c);
          });
          if (ok) {
            setId('');
            setName('');
            setApiKey('');
            channels.reload();
          }
        }}
      >
        <h3 className="small">Add a number</h3>
        <div className="row wrap-row">
          <label className="field">
            <span>Phone number id</span>
            <input
              value={id}
              onChange={(e) => setId(e.target.value)}
              placeholder="109876543210001"
              required
            />
          </label>
          <label className="field">
            <span>Name (optional)</span>
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Shop DE" />
          </label>
          <label className="field grow">
            <span>360dialog API key (optional)</span>
            <input
              type="password"
              value={apiKey}
              onChange={(e) => setApiKey(e.target.value)}
              autoComplete="off"
            />
          </label>
          <button type="submit" className="button primary align-end" disabled={!id.trim() || action.busy}>
            Add
          </button>
        </div>
        <ErrorLine error={action.error} />
      </form>
    </section>
  );
}

function ChannelRow({ channel, onRemoved }: { channel: Channel; onRemoved: () => void }) {
  const client = useClient();
  const [run, action] = useAction();
  const [check, setCheck] = useState<KeyCheck | null>(null);
  const [hook, setHook] = useState<WebhookStatus | null>(null);
  const [url, setUrl] = useState('');
  const [registered, setRegistered] = useState<string | null>(null);
  const receiver = receiverOrigin() + channel.webhookPath;
  return (
    <li className="stack" data-testid="channel">
      <div className="row between">
        <span>
          <strong>{channel.name ?? channel.id}</strong>{' '}
          {channel.name && <span className="muted small">{channel.id}</span>}
          <span className="muted small"> · added {formatDateTime(channel.createdAt)}</span>
        </span>
        <span className="row">
          <button
            type="button"
            className="button small"
            disabled={action.busy}
            onClick={() =>
              void run(async () => setCheck(await client.api['channels.checkKey']({ channel: channel.id })))
            }
          >
            Check key
          </button>
          <button
            type="button"
            className="button small"
            disabled={action.busy}
            onClick={() =>
              void run(async () =>
                setHook(await client.api['channels.webhookStatus']({ channel: channel.id })),
              )
            }
          >
            Webhook status
          </button>
          <button
            type="button"
            className="button ghost small"
            onClick={() => {
              if (window.confirm(`Remove ${channel.name ?? channel.id}? Its stored data stays.`))
                void run(async () => {
                  await client.api['channels.remove']({ id: channel.id });
                  onRemoved();
                });
            }}
          >
            Remove
          </button>
        </span>
      </div>
      <CopyBlock text={receiver} label="receiver URL" />
      {!channel.hasApiKey && (
        <p className="hint">
          No API key stored: add the number again with its key to check it or register the webhook.
        </p>
      )}
      {check && (
        <p className={`small ${check.valid ? 'yes' : 'error-text'}`}>
          {check.valid
            ? '✓ 360dialog accepts the key.'
            : `✗ 360dialog refused the key (HTTP ${check.status}).`}
        </p>
      )}
      {hook && (
        <p className="small">
          {hook.url ? (
            <>
              360dialog delivers to <code>{hook.url}</code>{' '}
              {hook.pointsHere ? (
                <span className="yes">✓ this channel’s receiver</span>
              ) : (
                <span className="error-text">— not this channel’s receiver ({hook.expectedPath})</span>
              )}
            </>
          ) : (
            'No webhook is registered at 360dialog yet.'
          )}
        </p>
      )}
      <form
        className="row"
        onSubmit={async (e) => {
          e.preventDefault();
          await run(async () => {
            const r = await client.api['channels.registerWebhook']({ channel: channel.id, url: url.trim() });
            setRegistered(r.url);
          });
        }}
      >
        <label className="field grow">
          <span>Public https URL of the receiver (collector)</span>
          <input
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder={`https://collector.example.com${channel.webhookPath}`}
          />
        </label>
        <button type="submit" className="button align-end" disabled={!url.trim() || action.busy}>
          Register webhook
        </button>
      </form>
      {registered && <p className="small yes">✓ 360dialog now delivers to {registered}</p>}
      <ErrorLine error={action.error} />
    </li>
  );
}
