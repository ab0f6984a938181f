// First: starts the boot calls before the modules below are evaluated (see boot.ts).
import './boot';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { client, store } from './boot';
import { redrawChartsForPrint } from './lib/print';
import { AppProvider } from './state/context';
import './styles/app.css';

redrawChartsForPrint();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider client={client} store={store}>
      <App />
    </AppProvider>
  </StrictMode>,
);
