import type { CoreHost } from '../core/host/host';
import { errorEnvelope, okEnvelope } from '../core/host/wire';
import { toErrorShape } from '../shared/contract/errors';
import { type AppOrigin, type FrameLike, isTrustedSender } from './url-policy';

/**
 * One contract call arriving over IPC. The sender frame is checked first (only the app's own top
 * frame may call), then CoreHost validates the arguments against the contract like it does for HTTP.
 * Always resolves to a CallResult as JSON text, the same bytes as the HTTP API's body: a rejected
 * ipcMain.handle would reach the renderer as an opaque "Error invoking remote method" string instead
 * of the ApiError shape, and text crosses IPC and the context bridge without a structured clone of the
 * result's object graph.
 */
export async function handleContractCall(
  host: Pick<CoreHost, 'callJson'>,
  origin: AppOrigin,
  method: string,
  frame: FrameLike | null | undefined,
  workspace: unknown,
  args: unknown,
): Promise<string> {
  if (!isTrustedSender(frame, origin)) {
    return errorEnvelope({ code: 'forbidden', message: 'This page may not call Insights Desktop' });
  }
  if (workspace !== undefined && typeof workspace !== 'string') {
    return errorEnvelope({
      code: 'invalid_argument',
      message: 'workspace must be a string',
      field: 'workspace',
    });
  }
  try {
    const { json, handlerMs } = await host.callJson(method, workspace, args);
    return okEnvelope(json, handlerMs);
  } catch (err) {
    return errorEnvelope(toErrorShape(err));
  }
}
