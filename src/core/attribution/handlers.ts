import { ApiError } from '../../shared/contract/errors';
import type { Handler } from '../host/context';

// Placeholder until the attribution engine lands (issue 4).
const reportGet: Handler<'report.get'> = () => {
  throw new ApiError('not_implemented', 'report.get is not implemented yet');
};
const eventsList: Handler<'events.list'> = () => {
  throw new ApiError('not_implemented', 'events.list is not implemented yet');
};

export const reportHandlers = {
  'report.get': reportGet,
  'events.list': eventsList,
};
