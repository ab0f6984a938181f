import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createClient, detectTransport } from './api/client';
import { redrawChartsForPrint } from './lib/print';
import { AppProvider } from './state/context';
import { createDashboardStore } from './state/store';
import './styles/app.css';

redrawChartsForPrint();
const client = createClient(detectTransport());
const store = createDashboardStore(client);
// Boot calls start now, while React mounts (App's own init() call joins this one).
void store.getState().init();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider client={client} store={store}>
      <App />
    </AppProvider>
  </StrictMode>,
);
