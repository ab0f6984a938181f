import type { PgMigration } from '../migrate';
import { p0001 } from './0001_collector';
import { p0002 } from './0002_operations';
import { p0003 } from './0003_conversions';

/** The PostgreSQL schema's migrations, in order (src/core/pg/migrate.ts applies them). */
export const pgMigrations: readonly PgMigration[] = [p0001, p0002, p0003];
