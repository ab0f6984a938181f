import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createClient, detectTransport } from './api/client';
import { formatInt } from './lib/format';
import { redrawChartsForPrint } from './lib/print';
import { AppProvider } from './state/context';
import { createDashboardStore } from './state/store';
import './styles/app.css';

redrawChartsForPrint();
const client = createClient(detectTransport());
const store = createDashboardStore(client);
// Boot calls start now, while React mounts (App's own init() call joins this one).
void store.getState().init();
// The first number format of a renderer process loads the number data of the locale (about 40 ms, twice
// that on a busy machine), whoever asks first (the chart's axis or a figure): asked now, while the boot
// calls are in flight, it is not paid inside the dashboard's first render.
setTimeout(() => formatInt(0));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider client={client} store={store}>
      <App />
    </AppProvider>
  </StrictMode>,
);
