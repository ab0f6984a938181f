// `insights serve` in its own process with lane workers from source, for the shutdown test and the
// two-installation conversions test: `node --import tsx tests/helpers/serve-process.ts <dataDir>`.
// Prints "URL <url>" once listening. TEST_SEND_EVERY_MS shortens the conversions sender's minute;
// INSIGHTS_DATABASE_URL stores in PostgreSQL; TEST_LOG_LEVEL sets the request log's level (default
// warn here: two info lines per request slow the tests that poll the API on a loaded machine).
import { exitOnSignals, serve } from '../../src/cli/commands/serve';
import { DEFAULT_BODY_LIMIT } from '../../src/core/server/server';
import { tsWorkerRunner } from './core';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: serve-process.ts <dataDir>');
const sendEvery = Number(process.env.TEST_SEND_EVERY_MS);
const running = await serve(
  dataDir,
  {
    port: 0,
    host: '127.0.0.1',
    open: false,
    token: 'test-token',
    bodyLimit: DEFAULT_BODY_LIMIT,
    ...(sendEvery > 0 ? { sendEveryMs: sendEvery } : {}),
    logLevel: process.env.TEST_LOG_LEVEL ?? 'warn',
  },
  tsWorkerRunner(),
);
exitOnSignals(running);
process.stdout.write(`URL ${running.url}\n`);
