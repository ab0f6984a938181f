// The errors module alone: importing the contract index would bundle every zod schema into the renderer.
import { ApiError } from '../../../shared/contract/errors';

/** Words for people: the core's message, or a plain fallback. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'offline')
      return 'Insights is not reachable. Check that the app or `insights serve` is running.';
    if (err.code === 'not_implemented') return 'This part is not available in this version yet.';
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}

export const isOffline = (err: unknown): boolean => err instanceof ApiError && err.code === 'offline';
