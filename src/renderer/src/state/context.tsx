import { createContext, type ReactNode, useContext } from 'react';
import { useStore } from 'zustand';
import type { Client } from '../api/client';
import type { DashboardState, DashboardStore } from './store';

interface Deps {
  client: Client;
  store: DashboardStore;
}

const DepsContext = createContext<Deps | null>(null);

export function AppProvider({ client, store, children }: Deps & { children: ReactNode }) {
  return <DepsContext.Provider value={{ client, store }}>{children}</DepsContext.Provider>;
}

function useDeps(): Deps {
  const deps = useContext(DepsContext);
  if (!deps) throw new Error('AppProvider is missing');
  return deps;
}

export const useClient = (): Client => useDeps().client;

export function useDashboard<T>(selector: (s: DashboardState) => T): T {
  return useStore(useDeps().store, selector);
}
