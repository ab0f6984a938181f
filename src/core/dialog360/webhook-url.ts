import { ApiError } from '../../shared/contract/errors';
import { webhookPath } from '../ingest/channels';

/**
 * Checks a URL that 360dialog will deliver webhooks to. 360dialog refuses ports and underscores in
 * webhook host names (https://docs.360dialog.com/docs/messaging-api/api-reference/webhooks), and it can only reach public https endpoints, so we
 * refuse those here with a message that says why instead of letting the API call fail vaguely.
 */
export function validateWebhookUrl(raw: string, field = 'url'): URL {
  const text = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (!scheme) throw new ApiError('invalid_argument', `"${raw}" is not an absolute URL (https://…)`, field);
  if (scheme[1]!.toLowerCase() !== 'https') {
    throw new ApiError('invalid_argument', '360dialog only delivers webhooks to https:// URLs', field);
  }
  // Look at the authority as typed: `new URL` silently drops an explicit :443, which 360dialog refuses too.
  const authority = text.slice(scheme[0].length).split(/[/?#]/, 1)[0] ?? '';
  if (authority.includes('@'))
    throw new ApiError('invalid_argument', 'A webhook URL must not contain a user name or password', field);
  if (authority.startsWith('['))
    throw new ApiError('invalid_argument', 'A webhook URL needs a host name, not an IP address', field);
  if (authority.includes(':')) {
    throw new ApiError(
      'invalid_argument',
      '360dialog refuses webhook URLs with a port: serve the collector on 443 behind a reverse proxy (see docs/collector.md)',
      field,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ApiError('invalid_argument', `"${raw}" is not a valid URL`, field);
  }
  const host = url.hostname;
  if (host.includes('_')) {
    throw new ApiError(
      'invalid_argument',
      `360dialog refuses webhook host names with an underscore ("${host}")`,
      field,
    );
  }
  if (host === 'localhost' || host.endsWith('.localhost') || /^[\d.]+$/.test(host)) {
    throw new ApiError(
      'invalid_argument',
      `360dialog must reach the webhook from the internet; "${host}" is not a public host name`,
      field,
    );
  }
  if (!host.includes('.'))
    throw new ApiError('invalid_argument', `"${host}" is not a public host name`, field);
  if (url.search || url.hash)
    throw new ApiError('invalid_argument', 'A collector URL must not carry a query or fragment', field);
  return url;
}

/** The receiver's webhook path for a channel under a collector's public base URL (which may have a path prefix). */
export function webhookUrlFor(base: URL, channel: string): string {
  const prefix = base.pathname.replace(/\/+$/, '');
  return `${base.origin}${prefix}${webhookPath(channel)}`;
}

/** Whether the webhook 360dialog has for a channel points at this channel's receiver path. */
export function webhookStatusOf(channel: string, current: { url: string | null }) {
  const path = webhookPath(channel);
  let pointsHere = false;
  if (current.url) {
    try {
      pointsHere = new URL(current.url).pathname.endsWith(path);
    } catch {
      pointsHere = false;
    }
  }
  return { channel, url: current.url, expectedPath: path, pointsHere };
}
