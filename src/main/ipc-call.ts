import type { CoreHost } from '../core/host/host';
import { toErrorShape } from '../core/host/protocol';
import type { CallResult } from '../shared/contract';
import { type AppOrigin, type FrameLike, isTrustedSender } from './url-policy';

/**
 * One contract call arriving over IPC. The sender frame is checked first (only the app's own top
 * frame may call), then CoreHost validates the arguments against the contract like it does for HTTP.
 * Always resolves to a CallResult: a rejected ipcMain.handle would reach the renderer as an opaque
 * "Error invoking remote method" string instead of the ApiError shape.
 */
export async function handleContractCall(
  host: Pick<CoreHost, 'call'>,
  origin: AppOrigin,
  method: string,
  frame: FrameLike | null | undefined,
  workspace: unknown,
  args: unknown,
): Promise<CallResult> {
  if (!isTrustedSender(frame, origin)) {
    return { ok: false, error: { code: 'forbidden', message: 'This page may not call Insights Desktop' } };
  }
  if (workspace !== undefined && typeof workspace !== 'string') {
    return {
      ok: false,
      error: { code: 'invalid_argument', message: 'workspace must be a string', field: 'workspace' },
    };
  }
  try {
    return { ok: true, value: await host.call(method, workspace, args) };
  } catch (err) {
    return { ok: false, error: toErrorShape(err) };
  }
}
