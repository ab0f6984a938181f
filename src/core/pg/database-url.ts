import { ApiError } from '../../shared/contract/errors';

/** The PostgreSQL URL the collector stores in (`--database`, else INSIGHTS_DATABASE_URL), or null: SQLite. */
export function databaseUrl(option: string | undefined): string | null {
  const url = option ?? process.env.INSIGHTS_DATABASE_URL ?? '';
  if (url === '') return null;
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new ApiError(
      'invalid_argument',
      '--database: expected a postgres://user@host/database URL',
      'database',
    );
  return url;
}

/** The URL without its user and password, for the start-up line and logs. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}
