import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { openDatabase } from '../../../src/core/db/open';
import { workspaceDbPath } from '../../../src/core/workspace/workspaces';
import { makeTestCore } from '../../helpers/core';
import { textDelivery } from '../../helpers/webhook';

// Graceful shutdown of `insights serve`: a delivery in flight when SIGTERM arrives still gets its 200
// after its commit, a new connection after SIGTERM is refused (the balancer or 360dialog's retry goes
// elsewhere), and the process exits within 5 s.

const root = path.join(__dirname, '../../..');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

it('SIGTERM drains the delivery in flight, refuses new connections and exits within 5 s', async () => {
  const core = makeTestCore();
  const { secret } = await core.call('channels.add', { phoneNumberId: '1234567890' });
  await core.host.close();
  const dataDir = core.dataDir;

  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/serve-process.ts', dataDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    // The request log shows when the delivery is in flight.
    env: { ...process.env, TEST_LOG_LEVEL: 'info' },
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await vi.waitFor(() => expect(out).toMatch(/URL http:\/\/127\.0\.0\.1:\d+\//), {
    timeout: 30_000,
    interval: 50,
  });
  const port = Number(/URL http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)![1]);

  // A first delivery starts the lane workers (seconds on a loaded machine, from source), so that the
  // one in flight below takes the time of a delivery, not of a cold start.
  const warm = await fetch(`http://127.0.0.1:${port}/webhooks/360dialog/1234567890`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(
      textDelivery({
        phoneNumberId: '1234567890',
        waId: '4915100000002',
        id: 'wamid.drain.0',
        ts: 1732550400,
        body: 'warm',
      }),
    ),
  });
  expect(warm.status).toBe(200);

  // A delivery whose body is still arriving: in flight on the server, not yet stored.
  const body = Buffer.from(
    JSON.stringify(
      textDelivery({
        phoneNumberId: '1234567890',
        waId: '4915100000001',
        id: 'wamid.drain.1',
        ts: 1732550400,
        body: 'in flight',
      }),
    ),
  );
  let inFlight: http.ClientRequest | undefined;
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/webhooks/360dialog/1234567890',
        headers: {
          authorization: `Bearer ${secret}`,
          'content-type': 'application/json',
          'content-length': body.length,
          'x-request-id': 'in-flight-1',
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.write(body.subarray(0, 40));
    inFlight = req;
  });
  // The server logged the request: it is in flight.
  await vi.waitFor(() => expect(out).toMatch(/"reqId":"in-flight-1"[^\n]*"incoming request"/), {
    timeout: 10_000,
    interval: 20,
  });

  const sent = Date.now();
  child.kill('SIGTERM');
  // Stops accepting while the delivery is still open (the process is alive, waiting for it).
  await vi.waitFor(
    async () => {
      const refused = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(false);
        });
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
      });
      expect(refused).toBe(true);
    },
    { timeout: 3000, interval: 20 },
  );
  expect(child.exitCode).toBeNull();
  inFlight!.end(body.subarray(40));

  const a = await answer;
  expect(a).toEqual({ status: 200, text: '{"ok":true}' });
  const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
  expect(code).toBe(0);
  expect(Date.now() - sent).toBeLessThan(5000);

  const db = openDatabase(workspaceDbPath(dataDir, 'default'));
  try {
    expect(db.prepare("SELECT count(*) FROM messages WHERE id = 'wamid.drain.1'").pluck().get()).toBe(1);
  } finally {
    db.close();
  }
}, 90_000);
