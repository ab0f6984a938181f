import { appHandlers, appInternalHandlers } from '../app/handlers';
import { attributionInternalHandlers, reportHandlers, sourcesHandlers } from '../attribution/handlers';
import { unattributedHandlers } from '../attribution/unattributed-handlers';
import { collectorHandlers, collectorInternalHandlers } from '../collector/handlers';
import { contactsHandlers } from '../contacts/handlers';
import { conversionsInternalHandlers } from '../conversions/due';
import { conversionsHandlers } from '../conversions/handlers';
import { dialog360Handlers, dialog360InternalHandlers } from '../dialog360/handlers';
import { ingestHandlers, ingestInternalHandlers } from '../ingest/handlers';
import type { Handlers, InternalHandlers } from '../kernel/context';
import { metaHandlers } from '../meta/handlers';
import { pgConversionsInternalHandlers } from '../pg/conversions-round';

// Every area contributes its handlers; `satisfies` makes a missing or mistyped handler a compile error.
export const allHandlers = {
  ...appHandlers,
  ...reportHandlers,
  ...sourcesHandlers,
  ...ingestHandlers,
  ...dialog360Handlers,
  ...collectorHandlers,
  ...contactsHandlers,
  ...metaHandlers,
  ...conversionsHandlers,
  ...unattributedHandlers,
} satisfies Handlers;

export const internalHandlers: InternalHandlers = {
  ...appInternalHandlers,
  ...attributionInternalHandlers,
  ...ingestInternalHandlers,
  ...dialog360InternalHandlers,
  ...collectorInternalHandlers,
  ...conversionsInternalHandlers,
  ...pgConversionsInternalHandlers,
};
