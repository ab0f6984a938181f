import { type ReactNode, useState } from 'react';
import { formatAgo, formatDateTime } from '../../lib/format';
import { CopyIcon } from '../Icons';

export function PanelState({
  loading,
  error,
  empty,
  children,
}: {
  loading: boolean;
  error: string | null;
  empty?: string | false;
  children?: ReactNode;
}) {
  if (error) return <p className="hint error-text">{error}</p>;
  if (loading) return <p className="hint">Loading…</p>;
  if (empty) return <p className="hint">{empty}</p>;
  return <>{children}</>;
}

export function CopyBlock({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="code-block">
      {text}
      <button
        type="button"
        className="icon-button small"
        aria-label={copied ? 'Copied' : `Copy ${label}`}
        title={copied ? 'Copied' : 'Copy'}
        onClick={() => {
          void navigator.clipboard?.writeText(text).then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          });
        }}
      >
        <CopyIcon />
      </button>
    </div>
  );
}

/** A secret shown once, right after it was created. */
export function ShownOnce({
  title,
  value,
  children,
}: {
  title: string;
  value: string;
  children?: ReactNode;
}) {
  return (
    <div className="secret-once" role="status">
      <p className="small">
        <strong>{title}</strong> — copy it now; it is not shown again.
      </p>
      <CopyBlock text={value} label={title} />
      {children}
    </div>
  );
}

export function ErrorLine({ error }: { error: string | null }) {
  return error ? (
    <p className="hint error-text" role="alert">
      {error}
    </p>
  ) : null;
}

/** One key or token in a list: its label, when it was created and last used, and a Revoke button. */
export function CredentialRow({
  label,
  createdAt,
  lastUsedAt,
  onRevoke,
}: {
  label: ReactNode;
  createdAt: string;
  lastUsedAt: string | null;
  onRevoke: () => void;
}) {
  return (
    <li className="row between">
      <span>
        {label}{' '}
        <span className="muted small">
          created {formatDateTime(createdAt)} ·{' '}
          {lastUsedAt ? `last used ${formatAgo(lastUsedAt)}` : 'never used'}
        </span>
      </span>
      <button type="button" className="button ghost small" onClick={onRevoke}>
        Revoke
      </button>
    </li>
  );
}
