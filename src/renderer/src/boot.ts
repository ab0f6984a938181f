import { createClient, detectTransport } from './api/client';
import { formatInt } from './lib/format';
import { createDashboardStore } from './state/store';

// The boot calls leave from here. main.tsx imports this module first, and modules run in the order they
// are imported (https://tc39.es/ecma262/#sec-innermoduleevaluation): the calls are in flight while React,
// the chart and the table modules are still being evaluated, not only after them.

export const client = createClient(detectTransport());
export const store = createDashboardStore(client);
// App's own init() call joins this one.
void store.getState().init();
// The first number format of a renderer process loads the number data of the locale (about 40 ms, twice
// that on a busy machine), whoever asks first (the chart's axis or a figure): asked now, while the boot
// calls are in flight, it is not paid inside the dashboard's first render.
setTimeout(() => formatInt(0));
