import { ApiError } from '../../shared/contract/errors';
import type { GraphClient } from './graph-client';
import { GraphError } from './graph-error';

// Login for Devices (https://developers.facebook.com/docs/facebook-login/for-devices, "How it works"): the client
// is built with access_token = APP_ID|CLIENT_TOKEN. Whether Meta grants ads permissions this way is not
// confirmed by any source, so the token is checked like a pasted one afterwards.

export const DEVICE_SCOPE = 'ads_read,business_management';

/** What is kept (as a secret: the code can be exchanged for a token) between start and polls. */
export interface PendingDeviceLogin {
  code: string;
  userCode: string;
  verificationUri: string;
  /** unix ms */
  expiresAt: number;
  /** seconds */
  interval: number;
}

export async function startDeviceLogin(client: GraphClient, now: number): Promise<PendingDeviceLogin> {
  const r = await client.post<{
    code?: string;
    user_code?: string;
    verification_uri?: string;
    expires_in?: number;
    interval?: number;
  }>('device/login', { scope: DEVICE_SCOPE });
  if (!r.code || !r.user_code || !r.verification_uri) {
    throw new ApiError('meta_error', 'Meta did not return a device code; check the app id and client token');
  }
  return {
    code: r.code,
    userCode: r.user_code,
    verificationUri: r.verification_uri,
    expiresAt: now + Number(r.expires_in ?? 420) * 1000,
    interval: Math.max(1, Number(r.interval ?? 5)),
  };
}

export type DevicePoll =
  | { state: 'pending' | 'slow_down' | 'expired' | 'declined'; interval: number }
  | { state: 'authorized'; accessToken: string };

const PENDING = 1349174;
const SLOW_DOWN = 1349172;
const EXPIRED = 1349152;
const DECLINED = 1349173;

export async function pollDeviceLogin(
  client: GraphClient,
  pending: PendingDeviceLogin,
  now: number,
): Promise<DevicePoll> {
  if (now >= pending.expiresAt) return { state: 'expired', interval: pending.interval };
  try {
    const r = await client.post<{ access_token?: string }>('device/login_status', { code: pending.code });
    if (!r.access_token) throw new ApiError('meta_error', 'Meta answered the device login without a token');
    return { state: 'authorized', accessToken: r.access_token };
  } catch (err) {
    if (!(err instanceof GraphError)) throw err;
    switch (err.subcode) {
      case PENDING:
        return { state: 'pending', interval: pending.interval };
      case SLOW_DOWN:
        // RFC 8628 §3.5: add 5 seconds to the interval on slow_down.
        return { state: 'slow_down', interval: pending.interval + 5 };
      case EXPIRED:
        return { state: 'expired', interval: pending.interval };
      case DECLINED:
        return { state: 'declined', interval: pending.interval };
      default:
        throw err;
    }
  }
}
