// One `conversions.send` in its own process, for the test that kills a sender halfway:
// `node --import tsx tests/helpers/send-process.ts <dataDir> <graphUrl>`. Prints "SENT <n>" when done.
import { makeTestCore } from './core';

const [dataDir, graphUrl] = process.argv.slice(2);
if (!dataDir || !graphUrl) throw new Error('usage: send-process.ts <dataDir> <graphUrl>');
process.env.INSIGHTS_GRAPH_URL = graphUrl;
const core = makeTestCore(dataDir);
const r = await core.call('conversions.send', {});
process.stdout.write(`SENT ${r.sent}\n`);
await core.host.close();
