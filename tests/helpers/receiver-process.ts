// A receiver in its own process, for the crash test: `node --import tsx tests/helpers/receiver-process.ts <dataDir>`.
// Prints "PORT <n>" once listening. Runs the core inline (one thread), like the CLI.
import path from 'node:path';
import { allHandlers, internalHandlers } from '../../src/core/entry/handlers';
import { CoreHost } from '../../src/core/host/host';
import { JsonPrefsStore } from '../../src/core/prefs/prefs-store';
import { FileSecretStore } from '../../src/core/secrets/file-secret-store';
import { startServer } from '../../src/core/server/server';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: receiver-process.ts <dataDir>');
const host = new CoreHost({
  dataDir,
  mode: 'browser',
  version: 'test',
  secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')),
  prefs: new JsonPrefsStore(path.join(dataDir, 'preferences.json')),
  runner: { kind: 'inline', handlers: allHandlers, internal: internalHandlers },
});
const server = await startServer({ host, apiToken: null, port: 0 });
process.stdout.write(`PORT ${server.port}\n`);
