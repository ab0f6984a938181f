import { exportContacts } from '../attribution/drilldown';
import { eraseContact } from '../ingest/erase';
import type { Handler } from '../kernel/context';

// contacts.*: a person's data, whichever area stores it (the export reads attribution's derived
// tables, erasure goes through everything ingestion stored).

const contactsExport: Handler<'contacts.export'> = (args, ctx) => exportContacts(ctx.db(), args);

const contactsErase: Handler<'contacts.erase'> = ({ phone }, ctx) => {
  const r = eraseContact(ctx.db(), phone);
  ctx.emit({ type: 'data-changed', workspace: ctx.workspace, what: 'all' });
  return r;
};

export const contactsHandlers = {
  'contacts.export': contactsExport,
  'contacts.erase': contactsErase,
};
