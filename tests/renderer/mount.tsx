import { render } from '@testing-library/react';
import { App } from '../../src/renderer/src/App';
import { createClient } from '../../src/renderer/src/api/client';
import { AppProvider } from '../../src/renderer/src/state/context';
import { createDashboardStore } from '../../src/renderer/src/state/store';
import { fakeTransport, standardHandlers } from './fixtures';

/** The whole app on a fake transport: what the renderer tests drive. */
export function mount(handlers = standardHandlers()) {
  const transport = fakeTransport(handlers);
  const client = createClient(transport);
  const store = createDashboardStore(client);
  render(
    <AppProvider client={client} store={store}>
      <App />
    </AppProvider>,
  );
  return { transport, store };
}

/** The arguments of every call the app made to one method. */
export const argsOf = (t: ReturnType<typeof fakeTransport>, method: string) =>
  t.calls.filter((c) => c.method === method).map((c) => c.args as Record<string, unknown>);
