import { appHandlers } from './app/handlers';
import type { Handlers, InternalHandlers } from './host/context';
import { reportHandlers } from './attribution/handlers';

// Every area contributes its handlers; `satisfies` makes a missing or mistyped handler a compile error.
export const allHandlers = {
  ...appHandlers,
  ...reportHandlers,
} satisfies Handlers;

export const internalHandlers: InternalHandlers = {};
