import type { Migration } from '../migrate';
import { m0001 } from './0001_raw';
import { m0002 } from './0002_meta_base';
import { m0003 } from './0003_ingest';
import { m0004 } from './0004_attribution';
import { m0005 } from './0005_meta_sync';
import { m0006 } from './0006_dialog360_collector';
import { m0007 } from './0007_report_summaries';
import { m0008 } from './0008_sync_erasures';
import { m0009 } from './0009_real_payloads';
import { m0010 } from './0010_conversions_outbox';
import { m0011 } from './0011_spend_imports';
import { m0012 } from './0012_spend_by_date';

// Numbered, append-only. Never edit a migration that has shipped: add a new one.
export const migrations: readonly Migration[] = [
  m0001,
  m0002,
  m0003,
  m0004,
  m0005,
  m0006,
  m0007,
  m0008,
  m0009,
  m0010,
  m0011,
  m0012,
];
