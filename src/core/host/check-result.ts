import type { z } from 'zod';
import { ApiError } from '../../shared/contract/errors';

/**
 * Development and tests only: a handler's result must be what its contract method promises, or the
 * call fails naming the method and the first mismatch. The value itself is passed on untouched (never
 * the parsed copy), so checking changes nothing the caller sees. Production skips it: parsing a
 * 2,000-row report costs about 1–2 ms (docs/architecture.md, "The call path").
 */
export function checkResult(method: string, schema: z.ZodType, value: unknown): void {
  const checked = schema.safeParse(value);
  if (checked.success) return;
  const issue = checked.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new ApiError(
    'internal',
    `${method} returned a result its contract does not allow${where}: ${issue?.message}`,
  );
}
