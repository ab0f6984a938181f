import type { FastifyRequest } from 'fastify';
import { WorkspaceName } from '../../shared/contract/define';
import { ApiError } from '../../shared/contract/errors';
import { DEFAULT_WORKSPACE } from '../workspace/workspaces';

/** The workspace a receiver request addresses: `?workspace=` (default: the default workspace). */
export function receiverWorkspace(req: FastifyRequest): string {
  const given = (req.query as Record<string, unknown> | undefined)?.workspace;
  if (given === undefined || given === '') return DEFAULT_WORKSPACE;
  const parsed = WorkspaceName.safeParse(given);
  if (!parsed.success)
    throw new ApiError('invalid_argument', 'workspace: not a valid workspace name', 'workspace');
  return parsed.data;
}
