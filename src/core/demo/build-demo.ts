import { ApiError } from '../../shared/contract/errors';
import type { CoreContext } from '../host/context';

// Placeholder: the demo generator feeds 360dialog payloads through the real ingestion path.
export async function buildDemo(_ctx: CoreContext, _seed: number): Promise<{ workspace: string; conversations: number; messages: number }> {
  throw new ApiError('not_implemented', 'demo.build is not implemented yet');
}
