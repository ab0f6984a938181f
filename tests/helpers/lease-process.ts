// A collector's owner-work runner in its own process, for the takeover test:
// `node --import tsx tests/helpers/lease-process.ts <database url> <workspace>`. Prints "HOLDER <id>",
// then "ACQUIRED <workspace>/<job> <unix ms>" when it takes the lease and "RUN <unix ms>" each time the
// owner-only job runs (every 200 ms while held). Default lease timings: the figure measured is the real one.
import pg from 'pg';
import { startOwnerRunner } from '../../src/core/pg/owner-work';

const [url, workspace] = process.argv.slice(2);
if (!url || !workspace) throw new Error('usage: lease-process.ts <database url> <workspace>');
const pool = new pg.Pool({ connectionString: url, max: 2 });
pool.on('error', () => {});
const runner = startOwnerRunner({
  db: pool,
  workspaces: async () => [workspace],
  jobs: [
    {
      job: 'probe',
      everyMs: 200,
      run: async () => {
        process.stdout.write(`RUN ${Date.now()}\n`);
      },
    },
  ],
  onEvent: (e) => {
    if (e.type === 'acquired') process.stdout.write(`ACQUIRED ${e.workspace}/${e.job} ${Date.now()}\n`);
  },
});
process.stdout.write(`HOLDER ${runner.holder}\n`);
process.on('SIGTERM', () => {
  void runner.stop().then(() => pool.end().then(() => process.exit(0)));
});
