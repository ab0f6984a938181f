import type { LeaseQueryable } from './lease';

/** The workspaces the PostgreSQL store serves: those with a channel, an API key, a read token or a setting. */
export async function pgWorkspaces(db: LeaseQueryable): Promise<string[]> {
  const r = await db.query<{ workspace: string }>({
    name: 'pg_workspaces',
    text: `SELECT workspace FROM channels UNION SELECT workspace FROM api_keys
           UNION SELECT workspace FROM read_tokens UNION SELECT workspace FROM settings ORDER BY 1`,
  });
  return r.rows.map((row) => row.workspace);
}
