import { createClient, detectTransport } from './api/client';
import { warmFormats } from './lib/format';
import { createDashboardStore } from './state/store';

// The boot calls leave from here. main.tsx imports this module first, and modules run in the order they
// are imported (https://tc39.es/ecma262/#sec-innermoduleevaluation): the calls are in flight while React,
// the chart and the table modules are still being evaluated, not only after them.

export const client = createClient(detectTransport());
export const store = createDashboardStore(client);
// App's own init() call joins this one.
void store.getState().init();
// The formats of the first render (see warmFormats), made once the first report is asked and while it is
// counted: not before, where they would hold up the boot calls' answers and so the report's request.
const unsubscribe = store.subscribe((s) => {
  if (!s.reportLoading) return;
  unsubscribe();
  setTimeout(warmFormats);
});
