import type { Migration } from '../migrate';
import { m0001 } from './0001_raw';

// Numbered, append-only. Never edit a migration that has shipped: add a new one.
export const migrations: readonly Migration[] = [m0001];
